//! ONNX protobuf messages generated from proto/onnx.proto by prost (see build.rs).
#![allow(clippy::all, missing_docs)]
include!(concat!(env!("OUT_DIR"), "/onnx.rs"));
