//! Generates the ONNX protobuf types from the official schema (proto/onnx.proto, Apache-2.0,
//! from the ONNX project) with prost; protox compiles the schema, so no protoc is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/onnx.proto");
    let descriptors = protox::compile(["proto/onnx.proto"], ["proto"])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
