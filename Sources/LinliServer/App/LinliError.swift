import Vapor

/// Stable machine-readable error codes; each has a localised title and detail.
public enum ErrorCode: String, Sendable, CaseIterable {
    case badRequest = "bad_request"
    case invalidBody = "invalid_body"
    case validationFailed = "validation_failed"
    case invalidListQuery = "invalid_list_query"
    case unauthorized = "unauthorized"
    case invalidCredentials = "invalid_credentials"
    case loginLocked = "login_locked"
    case pinLocked = "pin_locked"
    case csrfFailed = "csrf_failed"
    case forbidden = "forbidden"
    case personShared = "person_shared"
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case conflict = "conflict"
    case phoneTaken = "phone_taken"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case importRejected = "import_rejected"
    case tooManyRequests = "too_many_requests"
    case unavailable = "unavailable"
    case invalidDeviceToken = "invalid_device_token"
    case deviceDisabled = "device_disabled"
    case notATerminal = "not_a_terminal"
    case requestTimeout = "request_timeout"
    case telemetryRefused = "telemetry_refused"
    case provisionDenied = "provision_denied"
    case internalError = "internal_error"

    var status: HTTPResponseStatus {
        switch self {
        case .badRequest, .invalidBody, .invalidListQuery: .badRequest
        case .validationFailed, .importRejected: .unprocessableEntity
        case .unauthorized, .invalidCredentials, .invalidDeviceToken, .provisionDenied: .unauthorized
        case .requestTimeout: .requestTimeout
        case .telemetryRefused: .badRequest
        case .loginLocked, .tooManyRequests: .tooManyRequests
        case .pinLocked: .locked
        case .csrfFailed, .forbidden, .deviceDisabled, .personShared, .notATerminal: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict, .phoneTaken: .conflict
        case .payloadTooLarge: .payloadTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unavailable: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }
}

/// One problem with one field or line of a request, shown in the problem body's `errors`.
public struct FieldIssue: Content, Sendable, Equatable {
    /// The JSON field, query parameter or CSV column at fault.
    public var field: String?
    /// The CSV line (1 is the header), for imports.
    public var line: Int?
    /// A stable reason code.
    public var reason: String
    /// The reason in the request's language.
    public var message: String?
}

/// The one error type of Linli. The problem middleware turns it into RFC 9457 JSON.
public struct LinliError: Error, Sendable {
    public let code: ErrorCode
    /// Values for the `{placeholders}` of the localised detail.
    public var arguments: [String: String]
    public var issues: [FieldIssue]
    public var headers: HTTPHeaders

    public init(
        _ code: ErrorCode, _ arguments: [String: String] = [:], issues: [FieldIssue] = [],
        headers: HTTPHeaders = [:]
    ) {
        self.code = code
        self.arguments = arguments
        self.issues = issues
        self.headers = headers
    }

    /// A single invalid field.
    public static func invalid(_ field: String, _ reason: String) -> LinliError {
        LinliError(.validationFailed, ["field": field], issues: [FieldIssue(field: field, reason: reason)])
    }
}

extension LinliError: CustomStringConvertible {
    /// The English detail, for logs and the command line.
    public var description: String {
        "\(code.rawValue): " + L10n.text("error.\(code.rawValue).detail", .en, arguments)
    }
}
