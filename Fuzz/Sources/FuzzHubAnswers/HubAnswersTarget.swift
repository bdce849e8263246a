import FuzzSupport
@testable import ModelHub

/// Feeds the input to what ModelHub reads from a hub: the revision answer, the tree answer,
/// and (as text) an `hf://` reference. Beyond "no crash": every accepted tree entry must be
/// usable as cache paths that stay inside the cache (a relative path without `..` or empty
/// components, an ETag of letters and digits), an accepted commit is 40 hex digits, and an
/// accepted reference prints and parses back to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = [UInt8](fuzzBytes(data, size))
    if let commit = try? HubRepositoryInfo.parseCommit(revisionJSON: input) {
        fuzzCheck(HubReference.isCommitHash(commit), "accepted commit \(commit)")
    }
    if let files = try? HubRepositoryInfo.parseFiles(treeJSON: input) {
        for file in files {
            // Split on bytes, as the file system does (a `Character` split misses "/" + a combining mark).
            let components = Array(file.path.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            fuzzCheck(!components.contains([0x2E, 0x2E]) && !components.contains(where: \.isEmpty),
                      "unsafe path accepted: \(String(reflecting: file.path))")
            fuzzCheck(!file.etag.contains("/") && !file.etag.contains(".") && !file.etag.isEmpty,
                      "unsafe etag accepted: \(String(reflecting: file.etag))")
            fuzzCheck(file.size >= 0, "negative size \(file.size)")
        }
    }
    if let text = String(validating: input, as: UTF8.self), let reference = try? HubReference(parsing: text) {
        let again = try? HubReference(parsing: reference.description)
        fuzzCheck(again == reference, "\(reference) did not parse back")
        fuzzCheck(!reference.organization.contains("/") && !reference.name.contains("/")
                  && !reference.revision.contains(".."), "unsafe reference accepted: \(reference)")
    }
    return 0
}
