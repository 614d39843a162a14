//! The seq dialect's operations as a Rust enum. `dialects/seq/seq.irdl.mlir` is the source of
//! truth for what MLIR accepts; a test keeps this list and that file in step.

macro_rules! op_kinds {
    ($($variant:ident => $name:literal, $class:ident;)*) => {
        /// One variant per op of the seq dialect.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OpKind { $($variant),* }

        impl OpKind {
            pub const ALL: &'static [OpKind] = &[$(OpKind::$variant),*];

            /// The op name without the dialect prefix, as in the IRDL file (`rms_norm`).
            pub fn short_name(self) -> &'static str {
                match self { $(OpKind::$variant => $name),* }
            }

            pub fn class(self) -> OpClass {
                match self { $(OpKind::$variant => OpClass::$class),* }
            }
        }
    };
}

/// Broad roles, used by analyses that treat a family alike (e.g. every collective).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpClass {
    /// A named weight.
    Param,
    /// Per-token work: rows of the sequence are independent.
    Tokenwise,
    /// Mixes tokens along the sequence.
    Attention,
    /// Shard metadata, slicing and layout changes local to one rank.
    Layout,
    /// Communication between ranks.
    Collective,
    /// Async start/wait around a collective.
    Async,
    /// The training step's loss and the derivatives `seq-autodiff` emits (not split by the
    /// partitioning passes: they run on programs already partitioned).
    Gradient,
}

op_kinds! {
    Param => "param", Param;
    Embedding => "embedding", Tokenwise;
    RmsNorm => "rms_norm", Tokenwise;
    LayerNorm => "layer_norm", Tokenwise;
    Linear => "linear", Tokenwise;
    Rope => "rope", Tokenwise;
    Attention => "attention", Attention;
    Silu => "silu", Tokenwise;
    Gelu => "gelu", Tokenwise;
    Mul => "mul", Tokenwise;
    Add => "add", Tokenwise;
    Swiglu => "swiglu", Tokenwise;
    Logits => "logits", Tokenwise;
    Shard => "shard", Layout;
    Unshard => "unshard", Layout;
    TokenIndex => "token_index", Layout;
    Slice => "slice", Layout;
    Concat => "concat", Layout;
    Convert => "convert", Tokenwise;
    AllToAll => "all_to_all", Collective;
    AllGather => "all_gather", Collective;
    ReduceScatter => "reduce_scatter", Collective;
    AllReduce => "all_reduce", Collective;
    CollectivePermute => "collective_permute", Collective;
    AsyncStart => "async_start", Async;
    AsyncWait => "async_wait", Async;
    AttentionPartial => "attention_partial", Attention;
    LseMerge => "lse_merge", Tokenwise;
    Pad => "pad", Layout;
    ShardGrad => "shard_grad", Gradient;
    Offload => "offload", Gradient;
    Reload => "reload", Gradient;
    LabelCount => "label_count", Gradient;
    CrossEntropy => "cross_entropy", Gradient;
    CrossEntropyGrad => "cross_entropy_grad", Gradient;
    EmbeddingGrad => "embedding_grad", Gradient;
    RmsNormGrad => "rms_norm_grad", Gradient;
    LayerNormGrad => "layer_norm_grad", Gradient;
    LinearGradInput => "linear_grad_input", Gradient;
    LinearGradWeight => "linear_grad_weight", Gradient;
    BiasGrad => "bias_grad", Gradient;
    RopeGrad => "rope_grad", Gradient;
    SiluGrad => "silu_grad", Gradient;
    GeluGrad => "gelu_grad", Gradient;
    SwigluGrad => "swiglu_grad", Gradient;
    AttentionGrad => "attention_grad", Gradient;
    AttentionPartialGrad => "attention_partial_grad", Gradient;
}

impl OpKind {
    /// Full MLIR name, `seq.rms_norm`.
    pub fn name(self) -> String {
        format!("seq.{}", self.short_name())
    }

    /// Parses a full op name (`seq.linear`).
    pub fn from_name(name: &str) -> Option<Self> {
        let short = name.strip_prefix("seq.")?;
        Self::ALL.iter().copied().find(|k| k.short_name() == short)
    }

    pub fn is_collective(self) -> bool {
        self.class() == OpClass::Collective
    }
}
