func.func @forward(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %y = "seq.silu"(%x) : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
