import Fluent
import Prometheus
import SQLKit
import Vapor

/// `/healthz`, `/readyz`, `/metrics`, request ids and per-route request metrics.
enum Operations {
    private struct RegistryKey: StorageKey { typealias Value = PrometheusCollectorRegistry }

    static func registry(_ app: Application) -> PrometheusCollectorRegistry {
        if let registry = app.storage[RegistryKey.self] { return registry }
        let registry = PrometheusCollectorRegistry()
        app.storage[RegistryKey.self] = registry
        return registry
    }

    nonisolated(unsafe) static let requests = MetricNameDescriptor(
        metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route, method and status")
    nonisolated(unsafe) static let duration = MetricNameDescriptor(
        metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency by route")
    nonisolated(unsafe) static let dbPing = MetricNameDescriptor(
        namespace: "linli", metricName: "database_ping", unitName: "seconds",
        helpText: "Time to take a pooled database connection and run SELECT 1, measured at scrape")
    nonisolated(unsafe) static let dbPool = MetricNameDescriptor(
        namespace: "linli", metricName: "database_pool_connections", unitName: "max",
        helpText: "Connections the database pool may open")
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5),
    ]

    static func register(_ app: Application, poolSize: Int) {
        let registry = registry(app)
        registry.makeGauge(descriptor: dbPool).set(Double(poolSize))
        app.register(
            .init(
                method: .GET, path: "/healthz", operationID: "healthz", summary: "The process is alive",
                tag: "operations", authority: .anyone, response: Schema.ref("Health")), in: app, healthz)
        app.register(
            .init(
                method: .GET, path: "/readyz", operationID: "readyz", summary: "The database answers",
                tag: "operations", authority: .anyone, response: Schema.ref("Health")), in: app, readyz)
        app.register(
            .init(
                method: .GET, path: "/metrics", operationID: "metrics", summary: "Prometheus metrics",
                tag: "operations", authority: .anyone, response: Schema.string(),
                responseContentType: "text/plain"), in: app, metrics)
    }

    static func ping(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("SELECT 1").run()
    }
}

/// Counts and times every request by its route pattern, logs it with the request id,
/// and returns the id as `X-Request-Id`.
struct RequestMetricsMiddleware: AsyncMiddleware {
    let registry: PrometheusCollectorRegistry

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next.respond(to: request)
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        let method = request.method.rawValue
        registry.makeCounter(
            descriptor: Operations.requests,
            labels: [("method", method), ("route", route), ("status", "\(response.status.code)")]
        ).increment()
        let elapsed = ContinuousClock.now - start
        registry.makeDurationHistogram(
            descriptor: Operations.duration, labels: [("method", method), ("route", route)],
            buckets: Operations.buckets
        ).record(elapsed)
        response.headers.replaceOrAdd(name: "X-Request-Id", value: request.id)
        request.logger.info(
            "request",
            metadata: [
                "method": .string(method), "path": .string(Self.loggedPath(request)), "route": .string(route),
                "status": .stringConvertible(response.status.code),
                "ms": .stringConvertible((elapsed / .milliseconds(1) * 10).rounded() / 10),
            ])
        return response
    }

    /// The path with device tokens taken out: the `{deviceToken}` segment of a matched route, and on
    /// an unmatched path any long token-like segment that is not a UUID.
    static func loggedPath(_ request: Request) -> String {
        let segments = request.url.path.split(separator: "/", omittingEmptySubsequences: false)
        if let route = request.route {
            let pattern = [PathComponent.constant("")] + route.path
            return zip(segments, pattern + Array(repeating: .catchall, count: max(0, segments.count - pattern.count)))
                .map { segment, component in
                    if case .parameter(let name) = component, name.lowercased().contains("token") { return "[token]" }
                    return String(segment)
                }.joined(separator: "/")
        }
        return segments.map { segment -> String in
            let tokenLike =
                segment.count >= 12 && UUID(uuidString: String(segment)) == nil
                && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            return tokenLike ? "[redacted]" : String(segment)
        }.joined(separator: "/")
    }
}
