import Foundation
import Glibc
import ModelFormats
import ModelRuntime

/// Steps 1 to 4: everything checked before a byte of weights is read.
extension ModelLoadJob {
    /// Step 1: the folder and the manifest's files are there and readable, the runtime is
    /// registered, and the weights fit in the memory budget.
    func initialize() throws(ModelLoadError) {
        let directory = descriptor.directory
        // A `--model ID=hf://...` model has no folder: its files are all in the hub cache.
        if !(directory.isEmpty && descriptor.manifest.source != nil) { try checkReadable(directory) }
        let runtime = descriptor.manifest.runtime
        guard runtimes[runtime] != nil else { throw .unknownRuntime(runtime, known: Array(runtimes.keys)) }
        // A hub model's files arrive at steps 2 and 3, URL weights at step 3; their weights
        // are reserved at step 3.
        for name in descriptor.manifest.sha256ByFile.keys.sorted()
        where descriptor.manifest.source == nil && descriptor.manifest.urlByFile[name] == nil {
            try checkReadable(directory + "/" + name)
        }
        // The weights file is named by the runtime at step 2; every safetensors file in the
        // folder is counted, which is exact for the usual single-file model.
        let estimate = PeakMemoryEstimate.of(weightsFiles: safetensorsFiles(), marginBytes: Self.memoryMarginBytes)
        let needed = estimate.peakBytes
        let otherInUse = settings.residentBytesInUse()
        let budget = settings.memoryBudgetBytes
        note(.initialize, "runtime", runtime)
        note(.initialize, "weights_bytes", String(estimate.fileBytes))
        note(.initialize, "f32_bytes", String(estimate.f32Bytes))
        note(.initialize, "estimated_bytes", String(needed))
        note(.initialize, "budget_bytes", String(budget))
        switch settings.ledger.reserve(needed, for: descriptor.id, budget: budget, otherBytesInUse: otherInUse) {
        case .success(let reservation):
            memoryReservation = reservation
            note(.initialize, "in_use_bytes", String(otherInUse))
        case .failure(let inUse):
            note(.initialize, "in_use_bytes", String(inUse.bytes))
            throw .insufficientMemory(neededBytes: needed, budgetBytes: budget, inUseBytes: inUse.bytes)
        }
    }

    /// Step 2: the runtime reads the model's config and tokenizer files.
    func loadTokenizer() throws(ModelLoadError) {
        let factory = earlier(runtimes[descriptor.manifest.runtime], "runtime")
        let session: any ModelLoadSession
        do {
            session = try factory.makeSession(directory: filesDirectory)
        } catch {
            throw ModelLoadError(error)
        }
        self.session = session
        weightsPath = filesDirectory + "/" + session.weightsFileName
        for fact in session.summary {
            note(.loadTokenizer, fact.key, fact.value)
        }
        note(.loadTokenizer, "weights_file", session.weightsFileName)
    }

    /// Step 3: a digest verified earlier for these exact bytes spares step 5 the hashing.
    func checkCache() throws(ModelLoadError) {
        let session = earlier(session, "session")
        let path = earlier(weightsPath, "weights path")
        if descriptor.manifest.source != nil { hubWeightsDigest = Self.lfsDigest(ofLink: path) }
        expectedDigest = descriptor.manifest.sha256ByFile[session.weightsFileName] ?? hubWeightsDigest
        guard let expectedDigest else {
            note(.checkCache, "digest", "not_in_manifest")
            return
        }
        let identity = FileIdentity.of(path: path)
        if let identity, digestCache.lookup(path: path) == expectedDigest {
            cachedIdentity = identity
            note(.checkCache, "digest_cache", "hit")
        } else {
            note(.checkCache, "digest_cache", "miss")
        }
        note(.checkCache, "expected_sha256", expectedDigest)
    }

    /// Step 4: the header is read and validated, the runtime checks every tensor it needs,
    /// and the read strategy is chosen.
    func prepareStrategies() throws(ModelLoadError) {
        let session = earlier(session, "session")
        let path = earlier(weightsPath, "weights path")
        let header = try Self.readHeader(path: path, fileName: session.weightsFileName)
        do {
            try session.validate(header)
        } catch {
            throw ModelLoadError(error)
        }
        self.header = header
        note(.prepareStrategies, "tensors", String(header.tensors.count))
        note(.prepareStrategies, "header_bytes", String(header.headerLength))
        note(.prepareStrategies, "data_bytes", String(header.totalDataBytes))
        let dtypes = Dictionary(grouping: header.tensors, by: \.dtype.rawValue).mapValues(\.count)
        note(.prepareStrategies, "dtypes", dtypes.keys.sorted().map { "\($0):\(dtypes[$0]!)" }.joined(separator: ","))
        // Streamed reads into one owned buffer serve both cases: they overlap hashing with
        // reading, and without a digest they cost one copy, which the runtime's f32
        // conversion at step 7 dominates.
        note(.prepareStrategies, "read_strategy", "streamed")
    }

    /// Reads the safetensors header, telling a file cut short (`file_truncated`) apart from
    /// a header whose offsets are wrong.
    static func readHeader(path: String, fileName: String) throws(ModelLoadError) -> SafetensorsHeader {
        do {
            return try SafetensorsHeader.read(fileAt: path)
        } catch {
            if case .offsetsOutOfRange = error, let declared = declaredFileSize(path: path),
               let actual = FileIdentity.of(path: path).map({ Int($0.size) }), declared > actual {
                throw .fileTruncated(path, expectedBytes: declared, actualBytes: actual)
            }
            switch error {
            case .fileNotFound: throw .fileNotFound(path)
            case .permissionDenied: throw .permissionDenied(path)
            default: throw ModelLoadError(error, file: fileName)
            }
        }
    }

    /// The file size the header describes when its tensors tile the data buffer with no
    /// hole or overlap (so only the file's end is missing); `nil` otherwise.
    static func declaredFileSize(path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let lengthBytes = try? handle.read(upToCount: 8), lengthBytes.count == 8 else { return nil }
        let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(SafetensorsHeader.maxHeaderBytes),
              let json = try? handle.read(upToCount: Int(length)), json.count == Int(length) else { return nil }
        let prefix = [UInt8](lengthBytes) + [UInt8](json)
        // Parsed as if the file were huge, a header that tiles its data reports exactly one
        // gap: from its last tensor's end to the hypothetical end of file.
        let hugeData = 1 << 62
        do {
            _ = try SafetensorsHeader.parse(prefix: prefix, fileSize: prefix.count + hugeData)
        } catch {
            if case .uncoveredBytes(let begin, let end) = error, end == hugeData { return prefix.count + begin }
        }
        return nil
    }

    /// Throws `file_not_found` or `permission_denied` unless `path` can be read.
    func checkReadable(_ path: String) throws(ModelLoadError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw errno == EACCES ? .permissionDenied(path) : .fileNotFound(path)
        }
        let isFolder = (status.st_mode & S_IFMT) == S_IFDIR
        guard access(path, isFolder ? R_OK | X_OK : R_OK) == 0 else { throw .permissionDenied(path) }
    }

    /// Paths of the `.safetensors` files in the model folder.
    private func safetensorsFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: descriptor.directory)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().map { descriptor.directory + "/" + $0 }
    }
}
