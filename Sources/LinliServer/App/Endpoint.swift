import LinliCore
import Vapor

/// A documented JSON API route. The same value registers the route and writes its
/// OpenAPI operation, so the document cannot drift from the routes.
struct Endpoint: Sendable {
    struct Parameter: Sendable {
        let name: String
        let schema: JSONValue
        var description: String = ""
    }

    let method: HTTPMethod
    /// OpenAPI form: `/api/v1/communities/{communityID}`.
    let path: String
    let operationID: String
    let summary: String
    let tag: String
    /// Who may call it and what it is scoped by (see ``Authority``).
    let authority: Authority
    var body: JSONValue? = nil
    /// The body's media type, or several separated by commas (a file that may be a photo or a PDF).
    var bodyContentType = "application/json"
    var maxBody: ByteCount? = nil
    var status: HTTPResponseStatus = .ok
    var response: JSONValue? = nil
    var responseContentType = "application/json"
    var query: [Parameter] = []
    /// Path parameters that are not UUIDs (a device token, a command's integer id).
    var pathSchemas: [String: JSONValue] = [:]

    /// Whether the caller signs in (a bearer token); devices and anyone do not.
    var authenticated: Bool {
        switch authority {
        case .anyone, .device: false
        case .signedIn, .object, .resident, .household, .community, .platform: true
        }
    }

    var pathComponents: [PathComponent] {
        path.split(separator: "/").map { part in
            part.hasPrefix("{") ? .parameter(String(part.dropFirst().dropLast())) : .constant(String(part))
        }
    }

    var pathParameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    /// The list parameters every paginated endpoint takes.
    static func listQuery(_ sorting: Sorting) -> [Parameter] {
        let sortable = sorting.keys
        return [
            Parameter(name: "page", schema: Schema.integer(min: 1, max: 1_000_000)),
            Parameter(name: "per", schema: Schema.integer(min: 1, max: 100)),
            Parameter(name: "sort", schema: Schema.enumeration(sortable + sortable.map { "-" + $0 })),
            Parameter(name: "order", schema: Schema.enumeration(["asc", "desc"])),
            Parameter(name: "q", schema: Schema.string(max: 100)),
        ]
    }
}

extension Application {
    private struct EndpointsKey: StorageKey { typealias Value = [Endpoint] }

    /// Every endpoint registered so far, in order.
    var endpoints: [Endpoint] {
        get { storage[EndpointsKey.self] ?? [] }
        set { storage[EndpointsKey.self] = newValue }
    }
}

extension RoutesBuilder {
    /// Registers `endpoint` with `handler` and records it for `/openapi.json`.
    func register<Response: AsyncResponseEncodable>(
        _ endpoint: Endpoint, in app: Application,
        _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        app.endpoints.append(endpoint)
        let body: HTTPBodyStreamStrategy = endpoint.maxBody.map { .collect(maxSize: $0) } ?? .collect
        let operationID = endpoint.operationID
        let authority = endpoint.authority
        on(endpoint.method, endpoint.pathComponents, body: body) { req in
            try await authority.check(req)
            if let shape = req.application.bodyShapes.shapes[operationID] { try req.refuseUnknownFields(shape) }
            return try await handler(req)
        }
    }
}

extension Request {
    /// A UUID path parameter; a malformed one is simply not found.
    func id(_ name: String) throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else {
            throw LinliError(.notFound)
        }
        return id
    }

    /// Decodes a JSON body, requiring the JSON content type.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try withJSONBody { bytes in
            do {
                return try JSONDecoder.linli.decode(T.self, from: Data(bytes))
            } catch let error as DecodingError {
                throw ProblemMiddleware.decoding(error)
            }
        }
    }

    /// The bytes of a JSON body, for a reader of its own (`DecideInput`); same checks as `decode`.
    func withJSONBody<T>(_ read: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        guard headers.contentType == .json || headers.contentType?.subType == "json" else {
            throw LinliError(.unsupportedMediaType, ["expected": "application/json"])
        }
        guard let buffer = body.data, buffer.readableBytes > 0 else {
            throw LinliError(.invalidBody, ["field": ""], issues: [FieldIssue(field: "", reason: "malformed_json")])
        }
        return try buffer.withUnsafeReadableBytes { bytes in
            try Self.checkJSONLimits(bytes)
            return try read(bytes)
        }
    }

    /// 400 for JSON too deep or with absurd numbers, before a parser recurses into it.
    static func checkJSONLimits(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try JSONLimits.check(bytes)
        } catch {
            throw LinliError(.invalidBody, ["field": ""], issues: [FieldIssue(field: "", reason: error.reason)])
        }
    }
}

/// A response with no body (204).
struct NoContent: AsyncResponseEncodable {
    func encodeResponse(for request: Request) async throws -> Response { Response(status: .noContent) }
}

/// A `Content` response with a chosen status (201 Created).
struct Created<T: Content>: AsyncResponseEncodable {
    let value: T
    func encodeResponse(for request: Request) async throws -> Response {
        let response = try await value.encodeResponse(for: request)
        response.status = .created
        return response
    }
}
