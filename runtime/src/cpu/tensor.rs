//! Host tensors: a shape and a flat row-major buffer. Float tensors hold the run's compute
//! precision (f32 or f64) whatever their declared dtype; integer tensors keep i32 or i64.

use std::fmt;

/// A tensor's elements, row-major.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I32(Vec<i32>),
    I64(Vec<i64>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct HostTensor {
    pub shape: Vec<usize>,
    pub data: Data,
}

/// An element type a host tensor can hold. Data movement (shard, slice, concat, collectives) is
/// written once over this trait.
pub trait Elem: Copy + Default + PartialOrd + Send + Sync + 'static {
    fn view(data: &Data) -> Option<&[Self]>;
    fn wrap(values: Vec<Self>) -> Data;
    /// Addition for sum reductions; integers wrap like NCCL's.
    fn add(self, other: Self) -> Self;
}

macro_rules! elem {
    ($t:ty, $variant:ident, $add:expr) => {
        impl Elem for $t {
            fn view(data: &Data) -> Option<&[Self]> {
                match data {
                    Data::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn wrap(values: Vec<Self>) -> Data {
                Data::$variant(values)
            }
            fn add(self, other: Self) -> Self {
                $add(self, other)
            }
        }
    };
}
elem!(f32, F32, |a: f32, b: f32| a + b);
elem!(f64, F64, |a: f64, b: f64| a + b);
elem!(i32, I32, i32::wrapping_add);
elem!(i64, I64, i64::wrapping_add);

/// Runs `$body` with `$E` bound to the element type of `$data` and `$v` to its values.
macro_rules! dispatch {
    ($data:expr, $E:ident, $v:ident => $body:expr) => {
        match $data {
            Data::F32($v) => {
                type $E = f32;
                $body
            }
            Data::F64($v) => {
                type $E = f64;
                $body
            }
            Data::I32($v) => {
                type $E = i32;
                $body
            }
            Data::I64($v) => {
                type $E = i64;
                $body
            }
        }
    };
}

/// Elementwise reduction of collectives.
/// The reduction of `reduce_scatter` and `all_reduce` (the op table reads it).
pub use seq_plan::rules::Reduction;

impl Data {
    pub fn len(&self) -> usize {
        match self {
            Data::F32(v) => v.len(),
            Data::F64(v) => v.len(),
            Data::I32(v) => v.len(),
            Data::I64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dtype(&self) -> &'static str {
        match self {
            Data::F32(_) => "f32",
            Data::F64(_) => "f64",
            Data::I32(_) => "i32",
            Data::I64(_) => "i64",
        }
    }

    pub fn is_float(&self) -> bool {
        matches!(self, Data::F32(_) | Data::F64(_))
    }
}

/// `shape` viewed as `[outer, shape[dim], inner]`.
fn around(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    (shape[..dim].iter().product(), shape[dim], shape[dim + 1..].iter().product())
}

fn take_typed<E: Elem>(src: &[E], shape: &[usize], dim: usize, rows: &[Option<usize>]) -> Vec<E> {
    let (outer, extent, inner) = around(shape, dim);
    let mut out = Vec::with_capacity(outer * rows.len() * inner);
    for o in 0..outer {
        for row in rows {
            match row {
                Some(r) => {
                    let at = (o * extent + r) * inner;
                    out.extend_from_slice(&src[at..at + inner]);
                }
                None => out.extend(std::iter::repeat_n(E::default(), inner)),
            }
        }
    }
    out
}

/// Every part's values as `E`; fails if the parts mix element types.
fn views<'a, E: Elem>(parts: &[&'a HostTensor]) -> Result<Vec<&'a [E]>, String> {
    let dtypes = || parts.iter().map(|p| p.dtype()).collect::<Vec<_>>();
    parts.iter().map(|p| E::view(&p.data).ok_or_else(|| format!("element types differ: {:?}", dtypes()))).collect()
}

fn concat_typed<E: Elem>(parts: &[&HostTensor], dim: usize) -> Result<Vec<E>, String> {
    let views = views::<E>(parts)?;
    let outer: usize = parts[0].shape[..dim].iter().product();
    let inner: usize = parts[0].shape[dim + 1..].iter().product();
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.numel()).sum());
    for o in 0..outer {
        for (p, v) in parts.iter().zip(&views) {
            let block = p.shape[dim] * inner;
            out.extend_from_slice(&v[o * block..(o + 1) * block]);
        }
    }
    Ok(out)
}

fn reduce_typed<E: Elem>(parts: &[&HostTensor], reduction: Reduction) -> Result<Vec<E>, String> {
    let views = views::<E>(parts)?;
    let mut out = views[0].to_vec();
    for &v in &views[1..] {
        for (a, &b) in out.iter_mut().zip(v) {
            *a = match reduction {
                Reduction::Sum => a.add(b),
                Reduction::Max if b > *a => b,
                Reduction::Max => *a,
            };
        }
    }
    Ok(out)
}

impl HostTensor {
    /// A tensor from a shape and matching data.
    pub fn new(shape: Vec<usize>, data: Data) -> Result<Self, String> {
        let want: usize = shape.iter().product();
        if want != data.len() {
            return Err(format!("shape {shape:?} needs {want} elements, got {}", data.len()));
        }
        Ok(Self { shape, data })
    }

    pub fn from_f32(shape: Vec<usize>, values: Vec<f32>) -> Result<Self, String> {
        Self::new(shape, Data::F32(values))
    }

    pub fn from_f64(shape: Vec<usize>, values: Vec<f64>) -> Result<Self, String> {
        Self::new(shape, Data::F64(values))
    }

    pub fn from_i32(shape: Vec<usize>, values: Vec<i32>) -> Result<Self, String> {
        Self::new(shape, Data::I32(values))
    }

    pub fn from_i64(shape: Vec<usize>, values: Vec<i64>) -> Result<Self, String> {
        Self::new(shape, Data::I64(values))
    }

    pub fn numel(&self) -> usize {
        self.data.len()
    }

    pub fn dtype(&self) -> &'static str {
        self.data.dtype()
    }

    /// The elements as `E`, if that is what this tensor holds.
    pub fn view<E: Elem>(&self) -> Option<&[E]> {
        E::view(&self.data)
    }

    /// Float elements widened to f64 (for comparisons and output files).
    pub fn to_f64(&self) -> Option<Vec<f64>> {
        match &self.data {
            Data::F32(v) => Some(v.iter().map(|&x| x as f64).collect()),
            Data::F64(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Every element as f64, integers too (for comparisons).
    pub fn as_f64(&self) -> Option<Vec<f64>> {
        self.to_f64().or_else(|| self.to_i64().map(|v| v.into_iter().map(|x| x as f64).collect()))
    }

    /// Integer elements widened to i64 (token ids, indices, segments).
    pub fn to_i64(&self) -> Option<Vec<i64>> {
        match &self.data {
            Data::I32(v) => Some(v.iter().map(|&x| x as i64).collect()),
            Data::I64(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Rows `rows` along `dim` (`None` gives a zero row): the one primitive behind shard,
    /// unshard, slice and the splits of collectives.
    pub fn take(&self, dim: usize, rows: &[Option<usize>]) -> Result<Self, String> {
        let extent =
            *self.shape.get(dim).ok_or_else(|| format!("dim {dim} is out of range for shape {:?}", self.shape))?;
        if let Some(bad) = rows.iter().flatten().find(|&&r| r >= extent) {
            return Err(format!("row {bad} is out of range along dim {dim} of shape {:?}", self.shape));
        }
        let mut shape = self.shape.clone();
        shape[dim] = rows.len();
        let data = dispatch!(&self.data, E, v => E::wrap(take_typed::<E>(v, &self.shape, dim, rows)));
        Ok(Self { shape, data })
    }

    /// `size` entries along `dim` starting at `start`.
    pub fn slice(&self, dim: usize, start: usize, size: usize) -> Result<Self, String> {
        let rows: Vec<Option<usize>> = (start..start + size).map(Some).collect();
        self.take(dim, &rows)
    }

    /// Concatenation along `dim`, in order. Parts must agree in dtype, rank and every other extent.
    pub fn concat(parts: &[&HostTensor], dim: usize) -> Result<Self, String> {
        let first = parts.first().ok_or("concat needs at least one tensor")?;
        if dim >= first.shape.len() {
            return Err(format!("dim {dim} is out of range for shape {:?}", first.shape));
        }
        let mut shape = first.shape.clone();
        shape[dim] = 0;
        for p in parts {
            let same = p.shape.len() == first.shape.len()
                && p.shape.iter().zip(&first.shape).enumerate().all(|(d, (a, b))| d == dim || a == b);
            if !same || p.dtype() != first.dtype() {
                return Err(format!(
                    "cannot concatenate {:?} {} with {:?} {} along dim {dim}",
                    first.shape,
                    first.dtype(),
                    p.shape,
                    p.dtype()
                ));
            }
            shape[dim] += p.shape[dim];
        }
        let data = dispatch!(&first.data, E, _v => E::wrap(concat_typed::<E>(parts, dim)?));
        Ok(Self { shape, data })
    }

    /// Elementwise reduction of equally shaped tensors, folded in order.
    pub fn reduce(parts: &[&HostTensor], reduction: Reduction) -> Result<Self, String> {
        let first = parts.first().ok_or("reduce needs at least one tensor")?;
        if let Some(p) = parts.iter().find(|p| p.shape != first.shape || p.dtype() != first.dtype()) {
            return Err(format!("cannot reduce {:?} {} with {:?} {}", first.shape, first.dtype(), p.shape, p.dtype()));
        }
        let data = dispatch!(&first.data, E, _v => E::wrap(reduce_typed::<E>(parts, reduction)?));
        Ok(Self { shape: first.shape.clone(), data })
    }
}

impl fmt::Display for HostTensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {}", self.shape, self.dtype())
    }
}
