import ModelFormats
import ModelRuntime

/// Steps 5 to 9: reading, checking and handing the weights to the runtime.
extension ModelLoadJob {
    /// Step 5: reads the weights with byte-level progress, verifying the SHA-256 unless
    /// step 3 found these exact bytes already verified.
    func loadWeights(progress: LoadProgressSink) throws(ModelLoadError) {
        let header = earlier(header, "header")
        let path = earlier(weightsPath, "weights path")
        let reader = WeightReader(path: path, maxBytesPerSecond: settings.maxReadBytesPerSecond)
        self.reader = reader
        let mustHash = expectedDigest != nil && cachedIdentity == nil
        let result = try reader.read(expectedBytes: header.fileSize, computeDigest: mustHash,
                                     progress: progress.reportBytes, isCancelled: progress.isCancelled)
        note(.loadWeights, "bytes_read", String(reader.bytes.count))
        if let cachedIdentity, result.identity != cachedIdentity {
            // The file changed between the cache lookup and the read: the cached digest is
            // not about these bytes, and skipping the check would load unverified weights.
            reader.release()
            throw .fileChanged(path, expectedBytes: Int(cachedIdentity.size), actualBytes: Int(result.identity.size))
        }
        guard let expectedDigest else {
            note(.loadWeights, "sha256", "not_checked")
            return
        }
        guard let actual = result.sha256 else {
            note(.loadWeights, "sha256", "verified_by_cache")
            return
        }
        guard actual == expectedDigest else {
            reader.release()
            digestCache.remove(path: path)
            throw .digestMismatch(file: path, expected: expectedDigest, actual: actual)
        }
        digestCache.record(path: path, identity: result.identity, sha256: actual)
        note(.loadWeights, "sha256", "verified")
    }

    /// Step 6: every tensor's bytes lie inside what step 5 read.
    func loadComplete() throws(ModelLoadError) {
        let header = earlier(header, "header")
        let readBytes = earlier(reader, "reader").bytes.count
        var tensorBytes = 0
        for tensor in header.tensors {
            guard tensor.dataRange.lowerBound >= header.dataStart, tensor.dataRange.upperBound <= readBytes else {
                throw .tensorOutOfRange(tensor.name, end: tensor.dataRange.upperBound, readBytes: readBytes)
            }
            tensorBytes += tensor.byteCount
        }
        note(.loadComplete, "tensors", String(header.tensors.count))
        note(.loadComplete, "tensor_bytes", String(tensorBytes))
        let parameters = header.tensors.reduce(0) { $0 + $1.elementCount }
        note(.loadComplete, "parameters", String(parameters))
    }

    /// Step 7: the runtime builds its compute-layout tensors, then the raw buffer is freed.
    func moveToDevice(isCancelled: () -> Bool, reportWork: (Int64, Int64) -> Void = { _, _ in }) throws(ModelLoadError) {
        let session = earlier(session, "session")
        let reader = earlier(reader, "reader")
        do {
            try session.materialize(weights: reader.bytes, header: earlier(header, "header"), isCancelled: isCancelled,
                                    progress: reportWork)
        } catch {
            throw isCancelled() ? .cancelled : ModelLoadError(error)
        }
        reader.release()
        self.reader = nil
        note(.moveToDevice, "raw_buffer", "released")
    }

    /// Step 8: the runtime pre-packs its matrices.
    func applyOptimizations(isCancelled: () -> Bool, reportWork: (Int64, Int64) -> Void = { _, _ in }) throws(ModelLoadError) {
        do {
            try earlier(session, "session").optimize(isCancelled: isCancelled, progress: reportWork)
        } catch {
            throw isCancelled() ? .cancelled : ModelLoadError(error)
        }
    }

    /// Step 9: a warm-up inference; the model it returns is what `takeLoadedModel` gives.
    func finalize() throws(ModelLoadError) {
        let model: any LoadedModel
        do {
            model = try earlier(session, "session").warmUp()
        } catch {
            throw ModelLoadError(error)
        }
        loadedModel = model
        session = nil
        header = nil
        note(.finalize, "resident_bytes", String(model.residentBytes))
    }
}
