//! Where `param` steps get their values: a safetensors checkpoint, or deterministic random
//! weights that are a pure function of (name, shape, role, seed), so every rank of every run
//! sees the same model without any file.

use super::RuntimeError;
use safetensors::{Dtype, SafeTensors, tensor::Metadata};
use std::path::Path;

/// How a parameter is used, which decides the scale of its random values so that activations
/// stay O(1) through a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamRole {
    /// A rank-2 weight `[out, in]`: uniform in ±1/sqrt(in).
    Matrix,
    /// An embedding table: uniform in ±1.
    Embedding,
    /// A norm's scale: 1 + uniform in ±0.1.
    NormWeight,
    /// Anything else (biases): uniform in ±0.05.
    Vector,
}

pub enum WeightSource {
    Random { seed: u64 },
    Safetensors(Checkpoint),
    /// Values held in memory by name (a training loop's current weights, a perturbed copy).
    Values(std::collections::BTreeMap<String, Vec<f64>>),
}

/// A checkpoint read into memory: one safetensors file, or a Hugging Face folder of shards
/// (`model.safetensors.index.json` naming each tensor's file), headers parsed once.
pub struct Checkpoint {
    /// The file or folder, for messages.
    path: String,
    shards: Vec<Shard>,
    /// Tensor name → shard.
    index: std::collections::BTreeMap<String, usize>,
}

/// One safetensors file of a checkpoint.
struct Shard {
    path: String,
    buffer: Mapped,
    header_len: usize,
    metadata: Metadata,
}

impl Shard {
    fn read(path: &Path) -> Result<Self, RuntimeError> {
        let shown = path.display().to_string();
        let file_error = |reason: String| RuntimeError::File { path: shown.clone(), reason };
        let buffer = Mapped::open(path).map_err(|e| file_error(e.to_string()))?;
        let (header_len, metadata) =
            SafeTensors::read_metadata(buffer.bytes()).map_err(|e| file_error(format!("not a safetensors file: {e}")))?;
        Ok(Self { path: shown, buffer, header_len, metadata })
    }
}

/// A file mapped read-only into memory: a checkpoint's pages are read when a tensor is, not all
/// at once (an 8B model's 16 GB do not have to fit beside the program).
struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
}

// SAFETY: the mapping is private and read-only, and lives until drop.
unsafe impl Send for Mapped {}
unsafe impl Sync for Mapped {}

impl Mapped {
    fn open(path: &Path) -> std::io::Result<Self> {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).map_err(|_| std::io::Error::other("the file is too large to map"))?;
        if len == 0 {
            return Ok(Self { ptr: std::ptr::null_mut(), len: 0 });
        }
        // SAFETY: a fresh read-only private mapping of `len` bytes of an open file; the file may
        // close once it is mapped.
        let ptr = unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, file.as_raw_fd(), 0) };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Self { ptr, len })
    }

    fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `ptr` maps `len` readable bytes until drop.
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: the mapping `open` made; nothing borrows it past `self`.
            unsafe { libc::munmap(self.ptr, self.len) };
        }
    }
}

/// The safetensors files of checkpoint `path`, in order: a file; an index; a folder's index, its
/// `model.safetensors`, or else every `*.safetensors` in it.
fn shard_files(path: &Path) -> Result<Vec<std::path::PathBuf>, RuntimeError> {
    let shown = path.display().to_string();
    let file_error = |reason: String| RuntimeError::File { path: shown.clone(), reason };
    let index = if path.is_dir() { path.join("model.safetensors.index.json") } else { path.to_path_buf() };
    if index.extension().is_some_and(|e| e == "json") && index.exists() {
        let text = std::fs::read_to_string(&index).map_err(|e| file_error(e.to_string()))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| file_error(format!("index: {e}")))?;
        let map = v.get("weight_map").and_then(|m| m.as_object()).ok_or_else(|| file_error("the index has no 'weight_map'".into()))?;
        let dir = index.parent().unwrap_or(Path::new("."));
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        for file in map.values().filter_map(|f| f.as_str()) {
            let f = dir.join(file);
            if !files.contains(&f) {
                files.push(f);
            }
        }
        return Ok(files);
    }
    if path.is_dir() && path.join("model.safetensors").exists() {
        // A single-file Hugging Face checkpoint; other files beside it are not the model's.
        return Ok(vec![path.join("model.safetensors")]);
    }
    if path.is_dir() {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(path)
            .map_err(|e| file_error(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "safetensors"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(file_error("the folder holds no .safetensors file".into()));
        }
        return Ok(files);
    }
    Ok(vec![path.to_path_buf()])
}

impl WeightSource {
    pub fn random(seed: u64) -> Self {
        Self::Random { seed }
    }

    /// A safetensors checkpoint: one file, or a Hugging Face folder (or its
    /// `model.safetensors.index.json`) whose tensors lie in several files.
    pub fn safetensors(path: &Path) -> Result<Self, RuntimeError> {
        let shards = shard_files(path)?.iter().map(|f| Shard::read(f)).collect::<Result<Vec<_>, _>>()?;
        let mut index = std::collections::BTreeMap::new();
        for (i, shard) in shards.iter().enumerate() {
            for name in shard.metadata.tensors().keys() {
                if let Some(j) = index.insert(name.clone(), i) {
                    return Err(RuntimeError::File {
                        path: path.display().to_string(),
                        reason: format!("tensor '{name}' is in both {} and {}", shards[j].path, shard.path),
                    });
                }
            }
        }
        Ok(Self::Safetensors(Checkpoint { path: path.display().to_string(), shards, index }))
    }

    /// The values of parameter `name`, which the plan declares with `shape`.
    pub fn load(&self, name: &str, shape: &[usize], role: ParamRole) -> Result<Vec<f64>, String> {
        match self {
            Self::Random { seed } => Ok(random_values(name, shape, role, *seed)),
            Self::Safetensors(c) => c.load(name, shape),
            Self::Values(map) => {
                let v = map.get(name).ok_or_else(|| format!("weight '{name}' is not among the {} given", map.len()))?;
                if v.len() != shape.iter().product::<usize>() {
                    return Err(format!("weight '{name}' holds {} values; the plan declares {shape:?}", v.len()));
                }
                Ok(v.clone())
            }
        }
    }
}

impl Checkpoint {
    /// A tensor as the file holds it: its shape and values (for layouts a frontend maps).
    pub fn tensor(&self, name: &str) -> Result<(Vec<usize>, Vec<f64>), String> {
        let shape = self.shard(name)?.metadata.info(name).map(|i| i.shape.clone()).unwrap_or_default();
        Ok((shape.clone(), self.load(name, &shape)?))
    }

    /// Names of every tensor, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    fn shard(&self, name: &str) -> Result<&Shard, String> {
        self.index.get(name).and_then(|&i| self.shards.get(i)).ok_or_else(|| format!("weight '{name}' is not in {}", self.path))
    }

    fn load(&self, name: &str, shape: &[usize]) -> Result<Vec<f64>, String> {
        let shard = self.shard(name)?;
        let info = shard.metadata.info(name).ok_or_else(|| format!("weight '{name}' is not in {}", shard.path))?;
        if info.shape != shape {
            return Err(format!(
                "weight '{name}' has shape {:?} in {} but the plan declares {shape:?}",
                info.shape, shard.path
            ));
        }
        // Tensor offsets count from the end of the 8-byte length and the JSON header.
        let start = 8 + shard.header_len;
        let bytes = shard
            .buffer
            .bytes()
            .get(start + info.data_offsets.0..start + info.data_offsets.1)
            .ok_or_else(|| format!("weight '{name}' lies outside {}", shard.path))?;
        let values: Vec<f64> = match info.dtype {
            Dtype::F64 => bytes.chunks_exact(8).map(|b| f64::from_le_bytes(le(b))).collect(),
            Dtype::F32 => bytes.chunks_exact(4).map(|b| f32::from_le_bytes(le(b)) as f64).collect(),
            // bf16 is the top half of an f32.
            Dtype::BF16 => {
                bytes.chunks_exact(2).map(|b| f32::from_bits((u16::from_le_bytes(le(b)) as u32) << 16) as f64).collect()
            }
            Dtype::F16 => {
                bytes.chunks_exact(2).map(|b| gemm::f16::from_bits(u16::from_le_bytes(le(b))).to_f64()).collect()
            }
            other => {
                return Err(format!(
                    "weight '{name}' in {} has dtype {other:?}; this runtime reads f64, f32, bf16 and f16",
                    shard.path
                ));
            }
        };
        let want: usize = shape.iter().product();
        if values.len() != want {
            return Err(format!(
                "weight '{name}' in {} holds {} values, its shape needs {want}",
                shard.path,
                values.len()
            ));
        }
        Ok(values)
    }
}

/// The first N bytes of `b` (a chunk of exactly N bytes).
fn le<const N: usize>(b: &[u8]) -> [u8; N] {
    std::array::from_fn(|i| b[i])
}

/// 64-bit FNV-1a: a stable hash of the parameter name (std's hashers may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// SplitMix64: tiny, fast, and good enough to fill weights.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [−1, 1).
    fn symmetric(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// The random weights of `name`: identical on every rank, in every run and at every precision.
pub fn random_values(name: &str, shape: &[usize], role: ParamRole, seed: u64) -> Vec<f64> {
    let mut rng = SplitMix64(fnv1a(name.as_bytes()) ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let n: usize = shape.iter().product();
    let (offset, scale) = match role {
        ParamRole::Matrix => (0.0, 1.0 / (shape.get(1).copied().unwrap_or(1).max(1) as f64).sqrt()),
        ParamRole::Embedding => (0.0, 1.0),
        ParamRole::NormWeight => (1.0, 0.1),
        ParamRole::Vector => (0.0, 0.05),
    };
    (0..n).map(|_| offset + scale * rng.symmetric()).collect()
}
