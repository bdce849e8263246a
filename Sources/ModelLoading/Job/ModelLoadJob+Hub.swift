import Foundation
import Glibc
import ModelHub
import ModelRuntime

/// `source: hf://ORG/NAME[@REV]` models (DESIGN §1.6, "Pulls"): their files come from the hub
/// cache, fetched when missing. Step 2 fetches the small files (config, tokenizer) and pins
/// the commit; step 3 fetches the weights with byte progress (`reportBytes`), verified
/// against the hub's SHA-256 while they stream, so step 5 does not hash them again. The model
/// folder keeps only `model.yaml`.
extension ModelLoadJob {
    /// The folder the runtime reads: the hub snapshot of a hub model, the view of a model
    /// with URL weights, else the model folder.
    var filesDirectory: String { hubSnapshotFolder ?? urlViewFolder ?? descriptor.directory }

    /// The hub work of `step` (2 or 3) for a hub model; nothing for a local one.
    func fetchFromHub(step: LoadStep, progress: LoadProgressSink) throws(ModelLoadError) {
        guard let source = descriptor.manifest.source else { return }
        let cancellation = HubCancellation(checking: progress.isCancelled)
        if step == .loadTokenizer {
            let snapshot = try pull(source, cancellation: cancellation, selecting: { !Self.isWeights($0.path) }) { _ in }
            hubSnapshotFolder = snapshot.folder
            hubWeightsPending = Self.weightsFiles(in: snapshot.folder).isEmpty
            note(.loadTokenizer, "source", source.description)
            note(.loadTokenizer, "commit", snapshot.commit)
            if hubWeightsPending { note(.loadTokenizer, "tokenizer", "read_after_download") }
            return
        }
        let folder = earlier(hubSnapshotFolder, "hub snapshot")
        let commit = URL(fileURLWithPath: folder).lastPathComponent
        let pinned = (try? HubReference(organization: source.organization, name: source.name, revision: commit)) ?? source
        let snapshot = try pull(pinned, cancellation: cancellation, selecting: { Self.isWeights($0.path) }) { update in
            guard update.bytesTotal > 0 else { return }
            if !update.file.isEmpty {
                progress.reportTransfer(LoadTransfer(file: update.file, bytesPerSecond: update.bytesPerSecond))
            }
            progress.reportBytes(update.bytesLoaded, update.bytesTotal)
        }
        note(.checkCache, "bytes_downloaded", String(snapshot.bytesDownloaded))
        let weights = Self.weightsFiles(in: folder)
        guard !weights.isEmpty else {
            throw ModelLoadError(code: HubError.notInCache("").code,
                                 message: "the weights of \(source) are not in the hub cache (offline)")
        }
        for name in weights {
            let path = folder + "/" + name
            if let verified = snapshot.verifiedDigests[name], let identity = FileIdentity.of(path: path) {
                // Verified while streaming: recorded so step 3's lookup hits and step 5 skips hashing.
                _ = digestCache.record(path: path, identity: identity, sha256: verified)
            }
        }
        try reserveDownloadedWeights(weights.map { folder + "/" + $0 })
    }

    /// Top-level safetensors files: what step 3 downloads (and bills as its bytes).
    static func isWeights(_ path: String) -> Bool {
        !path.contains("/") && path.hasSuffix(".safetensors")
    }

    /// The weights files present (not dangling) in a snapshot folder.
    static func weightsFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { isWeights($0) && FileIdentity.of(path: folder + "/" + $0) != nil }.sorted()
    }

    private func pull(
        _ reference: HubReference, cancellation: HubCancellation, selecting: (HubFile) -> Bool,
        progress: @escaping (HubProgress) -> Void
    ) throws(ModelLoadError) -> HubSnapshot {
        let hub = try resolvedHubSettings()
        let client = HubClient(settings: hub, stallSeconds: settings.hubStallSeconds)
        do throws(HubError) {
            return try HubPull(client: client, reference: reference, cancellation: cancellation)
                .perform(selecting: selecting, progress: progress)
        } catch .cancelled {
            throw .cancelled
        } catch {
            throw ModelLoadError(code: error.code, message: error.reason)
        }
    }

    /// The hub settings the daemon gave, else huggingface_hub's environment variables alone.
    func resolvedHubSettings() throws(ModelLoadError) -> HubSettings {
        let hub = settings.hub ?? (try? HubSettings.resolve(
            endpoint: nil, tokenFile: nil, offline: false, cacheDirectory: nil,
            environment: ProcessInfo.processInfo.environment))
        guard let hub else { throw ModelLoadError(code: "cache_error", message: "no hub settings") }
        return hub
    }

    /// The SHA-256 a snapshot link names: its blob's name when that is 64 hex digits (the
    /// ETag of a large file is its SHA-256), so weights cached earlier are still verified.
    static func lfsDigest(ofLink path: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
        let name = URL(fileURLWithPath: target).lastPathComponent
        let isHex = name.utf8.count == 64 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        return isHex ? name : nil
    }

    /// Step 1 could not see a hub model's (or URL weights') weights; now that they are here, its reservation
    /// grows to the real estimate (or the load fails with `insufficient_memory`).
    func reserveDownloadedWeights(_ paths: [String]) throws(ModelLoadError) {
        let estimate = PeakMemoryEstimate.of(weightsFiles: paths, marginBytes: Self.memoryMarginBytes)
        if let memoryReservation { settings.ledger.release(memoryReservation) }
        memoryReservation = nil
        let budget = settings.memoryBudgetBytes
        switch settings.ledger.reserve(estimate.peakBytes, for: descriptor.id, budget: budget,
                                       otherBytesInUse: settings.residentBytesInUse()) {
        case .success(let reservation):
            memoryReservation = reservation
            note(.checkCache, "estimated_bytes", String(estimate.peakBytes))
        case .failure(let inUse):
            throw .insufficientMemory(neededBytes: estimate.peakBytes, budgetBytes: budget, inUseBytes: inUse.bytes)
        }
    }
}
