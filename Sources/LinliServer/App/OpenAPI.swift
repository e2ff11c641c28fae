import Vapor

/// Writes the OpenAPI 3.1 document from the registered endpoints (`/openapi.json`).
enum OpenAPI {
    static let common: [(String, JSONValue)] = [
        (
            "PageMetadata",
            Schema.object(
                [("page", Schema.integer()), ("per", Schema.integer()), ("total", Schema.integer())],
                required: ["page", "per", "total"])
        ),
        (
            "Problem",
            Schema.object(
                [
                    ("type", Schema.string()), ("title", Schema.string()), ("status", Schema.integer()),
                    ("detail", Schema.string()), ("code", Schema.enumeration(ErrorCode.allCases.map(\.rawValue))),
                    ("instance", Schema.string()), ("requestId", Schema.string()),
                    (
                        "errors",
                        Schema.array(
                            Schema.object(
                                [
                                    ("field", Schema.string()), ("line", Schema.integer()), ("reason", Schema.string()),
                                    ("message", Schema.string()),
                                ], required: ["reason"]))
                    ),
                ],
                required: ["type", "title", "status", "detail", "code"])
        ),
        ("Health", Schema.object([("status", Schema.string())], required: ["status"])),
    ]

    /// `/openapi.json`.
    @Sendable static func serve(_ req: Request) async throws -> Response {
        let document = OpenAPI.document(req.application)
        let response = Response(body: .init(data: try JSONEncoder.linli.encode(document)))
        response.headers.contentType = .json
        return response
    }

    static func document(_ app: Application) -> JSONValue {
        let components = app.openAPIComponents.all
        var paths: [(String, [(String, JSONValue)])] = []
        let named = app.schemaComponents
        for endpoint in app.endpoints {
            let operation = self.operation(endpoint, components: named)
            if let index = paths.firstIndex(where: { $0.0 == endpoint.path }) {
                paths[index].1.append((endpoint.method.rawValue.lowercased(), operation))
            } else {
                paths.append((endpoint.path, [(endpoint.method.rawValue.lowercased(), operation)]))
            }
        }
        return .object([
            ("openapi", "3.1.0"),
            (
                "info",
                .object([
                    ("title", "Linli 邻里 API"), ("version", "1.0.0"),
                    ("description", "Smart-community platform. Errors are RFC 9457 problem documents."),
                ])
            ),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
            (
                "components",
                .object([
                    ("schemas", .object(common + components)),
                    ("securitySchemes", .object([("bearer", .object([("type", "http"), ("scheme", "bearer")]))])),
                ])
            ),
        ])
    }

    static func operation(_ e: Endpoint, components: [String: JSONValue]) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("operationId", .string(e.operationID)), ("summary", .string(e.summary)),
            ("tags", .array([.string(e.tag)])),
        ]
        var parameters: [JSONValue] = e.pathParameters.map {
            .object([
                ("name", .string($0)), ("in", "path"), ("required", .bool(true)),
                ("schema", e.pathSchemas[$0] ?? Schema.uuid),
            ])
        }
        parameters += e.query.map {
            .object([("name", .string($0.name)), ("in", "query"), ("required", .bool(false)), ("schema", $0.schema)])
        }
        if !parameters.isEmpty { pairs.append(("parameters", .array(parameters))) }
        if let body = e.body {
            pairs.append(
                (
                    "requestBody",
                    .object([
                        ("required", .bool(true)),
                        (
                            "content",
                            .object(
                                e.bodyContentType.split(separator: ",").map {
                                    ($0.trimmingCharacters(in: .whitespaces), .object([("schema", Schema.closed(body, components))]))
                                })
                        ),
                    ])
                ))
        }
        var success: [(String, JSONValue)] = [("description", "OK")]
        if let response = e.response {
            // Several media types, comma-separated: JSON keeps the schema, the others (a CSV of the same
            // figures) are text.
            success.append(
                (
                    "content",
                    .object(
                        e.responseContentType.split(separator: ",").enumerated().map { index, type in
                            (String(type).trimmingCharacters(in: .whitespaces), .object([("schema", index == 0 ? response : Schema.string())]))
                        })
                ))
        }
        pairs.append(
            (
                "responses",
                .object([
                    ("\(e.status.code)", .object(success)),
                    (
                        "default",
                        .object([
                            ("description", "A problem (RFC 9457)"),
                            (
                                "content",
                                .object([("application/problem+json", .object([("schema", Schema.ref("Problem"))]))])
                            ),
                        ])
                    ),
                ])
            ))
        if e.authenticated { pairs.append(("security", .array([.object([("bearer", .array([]))])]))) }
        return .object(pairs)
    }
}
