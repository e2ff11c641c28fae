import Fluent
import Foundation
import LinliCore
import Vapor

extension WorkOrderService {
    /// A photo sent as the request body (API).
    static func addPhoto(_ order: WorkOrder, on req: Request) async throws -> UUID {
        let type = req.headers.contentType.map(\.essence) ?? ""
        return try await addPhoto(order, type: type, bytes: req.body.data.map { Data(buffer: $0) } ?? Data(), on: req)
    }

    static let thumbnailLimit = 200 * 1024

    /// A client-made thumbnail: a JPEG of at most 200 KB.
    static func checkThumbnail(_ bytes: Data) throws {
        guard bytes.count <= thumbnailLimit else { throw LinliError(.payloadTooLarge, ["limit": "200 KB"]) }
        guard looksLike("image/jpeg", bytes) else { throw LinliError.invalid("thumbnail", "not_an_image") }
    }

    static func setThumbnail(_ order: WorkOrder, photo id: UUID, _ bytes: Data, on req: Request) async throws {
        _ = try actor(order, req)
        try checkThumbnail(bytes)
        guard let photo = try await WorkOrderPhoto.find(id, on: req.db), photo.orderID == order.id else {
            throw LinliError(.notFound)
        }
        photo.thumbnail = bytes
        try await photo.save(on: req.db)
    }

    /// A photo Linli stores: JPEG, PNG or WebP by its type and its first bytes, at most 5 MB; its
    /// thumbnail, if sent, a JPEG of at most 200 KB.
    static func checkPhoto(type: String, _ bytes: Data, thumbnail: Data? = nil) throws {
        guard photoTypes.contains(type) else {
            throw LinliError(.unsupportedMediaType, ["expected": photoTypes.joined(separator: ", ")])
        }
        guard !bytes.isEmpty else { throw LinliError.invalid("photo", "missing_value") }
        guard bytes.count <= photoLimit else { throw LinliError(.payloadTooLarge, ["limit": "5 MB"]) }
        guard looksLike(type, bytes) else { throw LinliError.invalid("photo", "not_an_image") }
        if let thumbnail { try checkThumbnail(thumbnail) }
    }

    static func addPhoto(_ order: WorkOrder, type: String, bytes: Data, thumbnail: Data? = nil, on req: Request)
        async throws -> UUID
    {
        _ = try actor(order, req)
        try checkPhoto(type: type, bytes, thumbnail: thumbnail)
        guard
            try await WorkOrderPhoto.query(on: req.db).filter(\.$orderID == order.requireID()).count() < photosPerOrder
        else { throw LinliError.invalid("photo", "too_many") }
        let photo = WorkOrderPhoto()
        photo.id = UUID()
        photo.orderID = try order.requireID()
        photo.contentType = type
        photo.bytes = bytes
        photo.thumbnail = thumbnail
        photo.uploadedBy = try req.user().principal.personID
        photo.createdAt = req.clock.now()
        try await req.db.writeTransaction { db in
            try await photo.create(on: db)
            try await event(order, "photo", by: photo.uploadedBy, note: "", at: photo.createdAt, on: db)
        }
        return try photo.requireID()
    }

    /// The file really is what its type says (magic numbers), so nothing else is stored as a photo.
    static func looksLike(_ type: String, _ bytes: Data) -> Bool { FileSignature.matches(type, bytes) }
}
