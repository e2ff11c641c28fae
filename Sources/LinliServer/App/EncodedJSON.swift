import NIOCore
import Vapor

/// An answer's JSON encoded once, for a ``ReadCache`` to keep: a kept read then costs neither its
/// queries nor its encoding (which was a fifth of a kept list's time). The same encoder as every answer.
struct EncodedJSON: AsyncResponseEncodable, Sendable {
    let body: ByteBuffer

    init(_ value: some Encodable) throws {
        body = ByteBuffer(data: try JSONEncoder.linli.encode(value))
    }

    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: body))
    }
}
