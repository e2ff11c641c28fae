import Crypto
import Foundation
import Vapor

/// `/css/linli.css`: the platform's rules (`Resources/Styles/platform.css`), then each feature's own
/// (``Feature/css``, beside its templates), then elder mode's (`Resources/Styles/elder.css`), which must
/// win over every feature's. Read once at start; answered with an ETag, so a browser asks again cheaply.
struct StyleSheet: Sendable {
    let text: String
    let etag: String

    init(resources: String) throws {
        let views = resources + "Views/"
        let styles = resources + "Styles/"
        let files = [styles + "platform.css"] + Features.all.compactMap { $0.css.map { views + $0 } } + [styles + "elder.css"]
        var text = ""
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw Abort(.internalServerError, reason: "style sheet missing: \(file)")
            }
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        self.text = text
        etag = "\"" + SHA256.hash(data: Data(text.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
    }

    static let path = "/css/linli.css"

    func serve(_ req: Request) -> Response {
        var headers: HTTPHeaders = ["ETag": etag, "Cache-Control": "no-cache"]
        if req.headers.first(name: .ifNoneMatch) == etag { return Response(status: .notModified, headers: headers) }
        headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}
