import Fluent
import Prometheus
import SQLKit
import Vapor

extension Operations {
    @Sendable static func healthz(_: Request) async throws -> some AsyncResponseEncodable {
        ["status": "ok"]
    }

    @Sendable static func readyz(_ req: Request) async throws -> some AsyncResponseEncodable {
        do {
            try await ping(req.db)
        } catch {
            req.logger.warning("database not ready: \(error)")
            throw LinliError(.unavailable)
        }
        return ["status": "ready"]
    }

    @Sendable static func metrics(_ req: Request) async throws -> some AsyncResponseEncodable {
        let start = ContinuousClock.now
        if (try? await ping(req.db)) != nil {
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            registry(req.application).makeGauge(descriptor: dbPing).set(seconds)
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(
            type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: registry(req.application).emitToString()))
    }
}
