import FuzzSupport

// A closure, not `fuzzTestOneInput` itself: taking the `@_cdecl` function as a C function
// pointer would emit a second `LLVMFuzzerTestOneInput` thunk in this file.
runFuzzer { data, size in fuzzTestOneInput(data, size) }
