import Fluent
import LinliCore
import Vapor

/// An RFC 9457 problem document.
struct Problem: Content {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var code: String
    var instance: String?
    var requestId: String?
    var errors: [FieldIssue]?
}

/// Turns every error into `application/problem+json` with a stable code and localised text.
/// Nothing escapes as a bare 500 page; unexpected errors are logged with the request id.
struct ProblemMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let linliError = Self.classify(error, request: request)
            if linliError.code == .internalError {
                request.logger.report(error: error)
            }
            if Self.wantsHTML(request) { return await Self.page(for: linliError, request: request) }
            return Self.response(for: linliError, request: request)
        }
    }

    /// A browser asking for a page outside the API (a mistyped address) gets a page, not JSON.
    static func wantsHTML(_ request: Request) -> Bool {
        !request.url.path.hasPrefix("/api/") && request.headers.accept.contains { $0.mediaType == .html }
    }

    /// What the plain error page shows.
    struct PlainErrorPage: Encodable {
        let language: String
        let title: String
        let status: Int
        let detail: String
        let home: String
        let homeHref: String
    }

    /// A self-contained error page (`plain-error.leaf`: no session, so no layout), in the request's
    /// language; Leaf escapes every value.
    static func page(for error: LinliError, request: Request) async -> Response {
        let page = PlainErrorPage(
            language: request.language.rawValue, title: request.t("error.\(error.code.rawValue).title"),
            status: Int(error.code.status.code), detail: request.t("error.\(error.code.rawValue).detail", error.arguments),
            home: request.t("nav.home"), homeHref: SiteRoute.home.path)
        var headers = error.headers
        headers.contentType = .html
        guard let view = try? await request.view.render("plain-error", page) else {
            headers.contentType = .plainText
            return Response(status: error.code.status, headers: headers, body: .init(string: page.title + "\n"))
        }
        return Response(status: error.code.status, headers: headers, body: .init(buffer: view.data))
    }

    static func response(for error: LinliError, request: Request) -> Response {
        var issues = error.issues
        for index in issues.indices where issues[index].message == nil {
            issues[index].message = request.reasonText(issues[index], error.arguments)
        }
        let problem = Problem(
            type: "/problems/\(error.code.rawValue)",
            title: request.t("error.\(error.code.rawValue).title"),
            status: Int(error.code.status.code),
            detail: request.t("error.\(error.code.rawValue).detail", error.arguments),
            code: error.code.rawValue,
            instance: request.url.path,
            requestId: request.id,
            errors: issues.isEmpty ? nil : issues)
        var headers = error.headers
        headers.contentType = HTTPMediaType(
            type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentLanguage, value: request.language.rawValue)
        let body = (try? JSONEncoder.linli.encode(problem)) ?? Data()
        return Response(status: error.code.status, headers: headers, body: .init(data: body))
    }

    static func classify(_ error: any Error, request: Request) -> LinliError {
        switch error {
        case let error as LinliError:
            return error
        case let error as DecodingError:
            return decoding(error)
        case let error as any DatabaseError where error.isConstraintFailure:
            return LinliError(.conflict)
        // Every connection stayed busy for the pool's whole wait: the server is overloaded, not broken.
        case is ConnectionPoolTimeoutError:
            return LinliError(.unavailable, headers: ["Retry-After": "5"])
        case let error as any AbortError:
            switch error.status {
            case .badRequest:
                return LinliError(.badRequest, ["reason": error.reason])
            case .unauthorized: return LinliError(.unauthorized)
            case .forbidden: return LinliError(.forbidden)
            case .notFound: return LinliError(.notFound)
            case .methodNotAllowed: return LinliError(.methodNotAllowed)
            case .payloadTooLarge: return LinliError(.payloadTooLarge)
            case .unsupportedMediaType: return LinliError(.unsupportedMediaType)
            case .tooManyRequests: return LinliError(.tooManyRequests)
            case .unprocessableEntity: return LinliError(.validationFailed, ["field": ""])
            default:
                return error.status.code < 500
                    ? LinliError(.badRequest, ["reason": error.reason]) : LinliError(.internalError)
            }
        default:
            return LinliError(.internalError)
        }
    }

    static func decoding(_ error: DecodingError) -> LinliError {
        func path(_ context: DecodingError.Context, _ extra: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (extra.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        let field: String
        let reason: String
        switch error {
        case .keyNotFound(let key, let context):
            field = path(context, key)
            reason = "missing_field"
        case .typeMismatch(_, let context):
            field = path(context)
            reason = "wrong_type"
        case .valueNotFound(_, let context):
            field = path(context)
            reason = "missing_value"
        case .dataCorrupted(let context):
            field = path(context)
            reason = context.codingPath.isEmpty ? "malformed_json" : "invalid_value"
        @unknown default:
            field = ""
            reason = "invalid_value"
        }
        return LinliError(.invalidBody, ["field": field], issues: [FieldIssue(field: field, reason: reason)])
    }
}

extension JSONEncoder {
    /// The one JSON encoding of Linli: ISO 8601 dates, sorted keys.
    static var linli: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension JSONDecoder {
    static var linli: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
