import Vapor

/// Headers every answer carries (pages, API, files, errors): a Content-Security-Policy that allows
/// no inline script and no framing, `nosniff`, a same-origin referrer; cookies get `Secure` when
/// Linli is served over TLS (its own, or `LINLI_SECURE_COOKIES=1` behind a TLS proxy).
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        + "frame-ancestors 'none'"

    let secureCookies: Bool

    init(app: Application) {
        secureCookies =
            app.http.server.configuration.tlsConfiguration != nil || Environment.get("LINLI_SECURE_COOKIES") == "1"
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        Self.apply(to: response, secureCookies: secureCookies)
        return response
    }

    static func apply(to response: Response, secureCookies: Bool) {
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: policy)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        guard secureCookies else { return }
        for (name, var cookie) in response.cookies.all {
            cookie.isSecure = true
            response.cookies[name] = cookie
        }
    }
}
