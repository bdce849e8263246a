public import CoreMetrics
import Prometheus

/// The swift-metrics backend of modeld: a Prometheus registry whose metrics `GET /metrics`
/// renders in the text exposition format.
///
/// A metric named in `MetricName` gets that table's help line and buckets; any other label
/// (a library's own swift-metrics metrics, once `bootstrapMetricsSystem()` made this the
/// process's backend) gets swift-prometheus' defaults and no help line. Creating a metric
/// twice with the same name and labels returns the same series.
///
/// The server creates its metrics from an explicit factory, never from the global
/// `MetricsSystem`, which can be bootstrapped only once per process: tests run many servers
/// in one process, each with its own factory and registry.
public struct ServerMetricsFactory: MetricsFactory {
    private let registry: PrometheusCollectorRegistry
    private let fallback: PrometheusMetricsFactory

    /// A factory over a new, empty registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        fallback = PrometheusMetricsFactory(registry: registry)
    }

    /// Makes this factory the backend of swift-metrics' global `MetricsSystem`, so metrics
    /// that libraries create without a factory also appear on `/metrics`. Call it at most
    /// once per process (swift-metrics traps on a second bootstrap): the executable does.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(self)
    }

    /// Appends every registered metric in the Prometheus text format (version 0.0.4), with
    /// `# HELP` and `# TYPE` lines, to `buffer`.
    func emit(into buffer: inout [UInt8]) {
        registry.emit(into: &buffer)
    }

    /// A counter; a `MetricName` label gets its help line.
    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let name = MetricName(rawValue: label) else { return fallback.makeCounter(label: label, dimensions: dimensions) }
        return registry.makeCounter(descriptor: Self.descriptor(name), labels: dimensions)
    }

    /// A counter of fractional amounts; a `MetricName` label gets its help line.
    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let name = MetricName(rawValue: label) else {
            return fallback.makeFloatingPointCounter(label: label, dimensions: dimensions)
        }
        return registry.makeCounter(descriptor: Self.descriptor(name), labels: dimensions)
    }

    /// A gauge; a `MetricName` label gets its help line.
    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let name = MetricName(rawValue: label) else { return fallback.makeMeter(label: label, dimensions: dimensions) }
        return registry.makeGauge(descriptor: Self.descriptor(name), labels: dimensions)
    }

    /// A gauge (`aggregate: false`, as swift-metrics' `Gauge`) or a value histogram.
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        // Our table has no value histograms: an aggregating recorder is a library's.
        guard !aggregate, let name = MetricName(rawValue: label) else {
            return fallback.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        return registry.makeGauge(descriptor: Self.descriptor(name), labels: dimensions)
    }

    /// A duration histogram; a `MetricName` label gets its help line and buckets.
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let name = MetricName(rawValue: label), let buckets = name.buckets else {
            return fallback.makeTimer(label: label, dimensions: dimensions)
        }
        return registry.makeDurationHistogram(descriptor: Self.descriptor(name), labels: dimensions, buckets: buckets)
    }

    /// Removes the counter's series from `/metrics`.
    public func destroyCounter(_ handler: any CounterHandler) {
        fallback.destroyCounter(handler)
    }

    /// Removes the counter's series from `/metrics`.
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        fallback.destroyFloatingPointCounter(handler)
    }

    /// Removes the gauge's series from `/metrics`.
    public func destroyMeter(_ handler: any MeterHandler) {
        fallback.destroyMeter(handler)
    }

    /// Removes the gauge's or histogram's series from `/metrics`.
    public func destroyRecorder(_ handler: any RecorderHandler) {
        fallback.destroyRecorder(handler)
    }

    /// Removes the histogram's series from `/metrics`.
    public func destroyTimer(_ handler: any TimerHandler) {
        fallback.destroyTimer(handler)
    }

    /// The whole name goes in `metricName`: the table's names already end in their unit.
    private static func descriptor(_ name: MetricName) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name.rawValue, unitName: "", helpText: name.help)
    }
}
