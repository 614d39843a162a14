//! The collective rewrites compute what they replace: every `seq-simplify-collectives` input
//! runs on 4 CPU ranks before and after the pass, with the same inputs, to the same outputs.

use super::root;
use seq_ir::{Attr, SeqContext};
use seq_passes::{Pass, export::plan::to_plan, partition::SimplifyCollectives};
use seq_runtime::cpu::{RunOptions, WeightSource};
use seqc::run::{RunInputs, make_inputs, max_relative_error, precision, run_cpu};

#[test]
fn simplified_programs_compute_the_same() {
    let ctx = SeqContext::new().expect("context");
    let dir = root().join("tests/passes/simplify_collectives");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("folder")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mlir"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 4);
    for path in cases {
        let text = std::fs::read_to_string(&path).expect("read");
        let mut g = ctx.load(&text, &path.display().to_string()).unwrap_or_else(|d| panic!("{}", d.render()));
        g.module_attrs.insert("seq.devices".into(), Attr::Int(4));
        // Mesh axes used by the inputs: 2 x 2, so "sp" spans 4 ranks and each sub-axis 2.
        g.module_attrs.insert("seq.mesh".into(), Attr::Str("ring=2,ulysses=2".into()));
        let before = to_plan(&g);
        SimplifyCollectives.run(&mut g).expect("simplifies");
        let after = to_plan(&g);
        // `*_kept` inputs are the cases the pass must leave alone.
        let kept = path.file_stem().is_some_and(|s| s.to_string_lossy().ends_with("_kept"));
        assert_eq!(
            after.steps.len() == before.steps.len(),
            kept,
            "{}: {} steps became {}",
            path.display(),
            before.steps.len(),
            after.steps.len()
        );
        let inputs = make_inputs(&before, &RunInputs { seed: 5, ..Default::default() }).expect("inputs");
        let opts = RunOptions { precision: precision(true), ..Default::default() };
        let a = run_cpu(&before, &inputs, &WeightSource::random(1), &opts).expect("runs before");
        let b = run_cpu(&after, &inputs, &WeightSource::random(1), &opts).expect("runs after");
        for (x, y) in a.outputs.iter().zip(&b.outputs) {
            let (err, _) = max_relative_error(y, x, 0.0);
            assert!(err <= 1e-12, "{}: outputs differ by {err:e}", path.display());
        }
    }
}
