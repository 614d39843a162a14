//! Files: token ids and outputs as .npy, weights from safetensors.

use super::common::{Builder, run};
use npyz::WriterBuilder;
use safetensors::{Dtype, tensor::TensorView};
use seq_runtime::cpu::{
    self, HostTensor, Precision, RunOptions, RuntimeError, WeightSource, read_token_ids, write_npy_f32,
};
use std::path::PathBuf;

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seq-runtime-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_npy<T: npyz::AutoSerialize + Copy>(path: &std::path::Path, shape: &[u64], values: &[T]) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = npyz::WriteOptions::new().default_dtype().shape(shape).writer(file).begin_nd().unwrap();
    w.extend(values.iter().copied()).unwrap();
    w.finish().unwrap();
}

#[test]
fn token_ids_read_from_int32_and_int64_npy() {
    let dir = scratch("ids");
    write_npy(&dir.join("a.npy"), &[4], &[3i64, 0, 7, 2]);
    write_npy(&dir.join("b.npy"), &[1, 3], &[5i32, 6, 7]);
    write_npy(&dir.join("c.npy"), &[2], &[1.5f32, 2.0]);
    write_npy(&dir.join("d.npy"), &[1], &[1i64 << 40]);
    assert_eq!(read_token_ids(&dir.join("a.npy")).unwrap(), HostTensor::from_i32(vec![4], vec![3, 0, 7, 2]).unwrap());
    assert_eq!(read_token_ids(&dir.join("b.npy")).unwrap(), HostTensor::from_i32(vec![1, 3], vec![5, 6, 7]).unwrap());
    let err = read_token_ids(&dir.join("c.npy")).unwrap_err().to_string();
    assert!(err.contains("c.npy") && err.contains("expected int32 or int64") && err.contains("<f4"), "{err}");
    let err = read_token_ids(&dir.join("d.npy")).unwrap_err().to_string();
    assert!(err.contains("does not fit in int32"), "{err}");
    assert!(matches!(read_token_ids(&dir.join("missing.npy")), Err(RuntimeError::File { .. })));
}

#[test]
fn outputs_are_written_as_f32_npy() {
    let dir = scratch("out");
    let t = HostTensor::from_f64(vec![2, 3], vec![0.5, -1.25, 3.0, 1e-3, 7.0, -0.0]).unwrap();
    write_npy_f32(&dir.join("o.npy"), &t).unwrap();
    let bytes = std::fs::read(dir.join("o.npy")).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(npy.shape(), &[2, 3]);
    assert_eq!(npy.into_vec::<f32>().unwrap(), vec![0.5, -1.25, 3.0, 1e-3, 7.0, -0.0]);
    let ints = HostTensor::from_i32(vec![1], vec![1]).unwrap();
    assert!(write_npy_f32(&dir.join("i.npy"), &ints).is_err());
}

/// A plan whose outputs are the parameters `names` with `shapes`.
fn params_plan(params: &[(&str, &[usize], &str)]) -> seq_runtime::Plan {
    let mut b = Builder::default();
    let outs: Vec<u32> = params.iter().map(|(n, s, d)| b.param(n, s, d)).collect();
    b.finish(1, &[], &outs)
}

#[test]
fn safetensors_weights_load_by_name_in_compute_precision() {
    let dir = scratch("st");
    let path = dir.join("model.safetensors");
    let f32s: Vec<u8> = [1.5f32, -2.0, 0.1].iter().flat_map(|v| v.to_le_bytes()).collect();
    // bf16 and f16 bit patterns of 1.0, −2.5, 0.15625 (exact in both).
    let bf16s: Vec<u8> = [0x3f80u16, 0xc020, 0x3e20, 0x0000].iter().flat_map(|v| v.to_le_bytes()).collect();
    let f16s: Vec<u8> = [0x3c00u16, 0xc100, 0x3100].iter().flat_map(|v| v.to_le_bytes()).collect();
    let ints: Vec<u8> = [1i32, 2].iter().flat_map(|v| v.to_le_bytes()).collect();
    let tensors = vec![
        ("a", TensorView::new(Dtype::F32, vec![3], &f32s).unwrap()),
        ("b", TensorView::new(Dtype::BF16, vec![2, 2], &bf16s).unwrap()),
        ("c", TensorView::new(Dtype::F16, vec![3], &f16s).unwrap()),
        ("i", TensorView::new(Dtype::I32, vec![2], &ints).unwrap()),
    ];
    safetensors::serialize_to_file(tensors, None, &path).unwrap();
    let weights = WeightSource::safetensors(&path).unwrap();
    let plan = params_plan(&[("a", &[3], "f32"), ("b", &[2, 2], "bf16"), ("c", &[3], "f16")]);
    let f64_opts = RunOptions { precision: Precision::F64, ..RunOptions::default() };
    let out = cpu::run(&plan, &[], &weights, &f64_opts).unwrap().outputs;
    assert_eq!(out[0].view::<f64>().unwrap(), &[1.5, -2.0, 0.1f32 as f64]);
    assert_eq!(out[1].view::<f64>().unwrap(), &[1.0, -2.5, 0.15625, 0.0]);
    assert_eq!(out[2].view::<f64>().unwrap(), &[1.0, -2.5, 0.15625]);
    let out = cpu::run(&plan, &[], &weights, &RunOptions::default()).unwrap().outputs;
    assert_eq!(out[0].view::<f32>().unwrap(), &[1.5, -2.0, 0.1]);

    let fails =
        |plan: &seq_runtime::Plan| cpu::run(plan, &[], &weights, &RunOptions::default()).unwrap_err().to_string();
    let err = fails(&params_plan(&[("a", &[3], "f32"), ("nope", &[3], "f32")]));
    assert!(
        err.starts_with("rank 0, step 1 ('param'): weight 'nope' is not in") && err.contains("model.safetensors"),
        "{err}"
    );
    let err = fails(&params_plan(&[("b", &[4], "bf16")]));
    assert!(err.contains("weight 'b' has shape [2, 2]") && err.contains("declares [4]"), "{err}");
    let err = fails(&params_plan(&[("i", &[2], "f32")]));
    assert!(err.contains("dtype I32"), "{err}");

    std::fs::write(dir.join("bad.safetensors"), b"not a checkpoint").unwrap();
    let err = WeightSource::safetensors(&dir.join("bad.safetensors")).err().expect("rejected").to_string();
    assert!(err.contains("bad.safetensors") && err.contains("not a safetensors file"), "{err}");
}

#[test]
fn random_weights_do_not_depend_on_precision() {
    let plan = params_plan(&[("x.weight", &[3, 5], "bf16")]);
    let a = run(&plan, &[], Precision::F64)[0].to_f64().unwrap();
    let b = run(&plan, &[], Precision::F32)[0].to_f64().unwrap();
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1e-7 * x.abs().max(1e-30)));
    let other = cpu::random_values("x.weight", &[3, 5], cpu::ParamRole::Matrix, 8);
    assert_ne!(a, other, "the seed changes the weights");
}
