//! Attention through cuDNN's fused flash-attention forward (the backend graph API).
//!
//! The graph is the one cudnn-frontend builds for SDPA before cuDNN 9.21 (composite softmax):
//! S = Q·Kᵀ (fp32) → ×scale → [causal: row ≥ col else −huge] → max, sub, exp, sum, div → P
//! (io type) → O = P·V, plus log/add for the (here virtual) statistics. The fused engine in
//! cuDNN recognises that pattern. Q, K, V and O are read and written in place in the plan's
//! [tokens, heads·d] layout (strided 4-D views, batch 1); fewer KV heads (GQA) are native.
//!
//! A graph and its execution plan are built once per shape at setup (`prepare`); a command
//! whose shape could not be planned, or that needs what this path does not express (index
//! vectors, windows without the causal mask, the LSE output of `attention_partial`, f32 data),
//! keeps the NVRTC kernel. `SEQC_ATTENTION=kernel` turns this path off.
//!
//! Packed documents (a whole attention with segment ids) run as cuDNN's ragged (THD) graph:
//! each document is one batch of the graph, placed in the plan's token-major buffers by ragged
//! offsets and bounded by its length (sequence-length overrides and the padding mask, as
//! cudnn-frontend builds them), so the blocks across documents are never computed. The table
//! comes from the segment ids on the device (`k_doc_table`, once per run); its document count
//! and longest length are read back (32 bytes), since they are the graph's batch and sequence
//! length (both rounded up to a power of two, the count with empty documents, so that steps
//! share graphs).
//!
//! Split along its seams, so the planning can be tested on a host without CUDA:
//! - `key`: what determines a graph (`SdpaKey`), and which commands and blocks have one;
//! - `plan`: the block planner, cutting `attention_partial` and long causal attention into
//!   cuDNN calls (pure: no cudarc types);
//! - `cudnn`: the handle, descriptors, graph building and the variant pack of one call;
//! - `exec`: `Sdpa`, which plans each command at setup or on its first run, owns the block
//!   paths' device buffers, and enqueues the calls and their merges.
//!   `exec::docs` runs split attention over packed documents (segment ids) as cuDNN blocks:
//!   rectangles of one document and ragged causal squares (`plan::doc_blocks`).

mod cudnn;
mod exec;
mod key;
mod plan;

pub use exec::Sdpa;
pub use key::{BwdKey, Documents, MaskKind, SdpaKey, padded_count, padded_len};
pub use plan::{
    Block, Cut, DET_CALL_DP, DocBlock, Groups, MIN_CHUNK, PIECE_CHUNKS, PartialPlan, det_chunk, doc_blocks, doc_rect, partial_plan, query_groups, rect_part, unsorted_plan,
    window_plan,
};
