import Fluent
import Foundation
import LinliCore
import Vapor

extension Contacts {
    @Sendable static func listContacts(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try req.page(try await list(id, on: req.db).map(ContactRead.init), .contacts)
    }

    @Sendable static func createContact(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let row = Contact()
        row.communityID = id
        try apply(try req.decode(ContactInput.self), to: row)
        try await req.db.writeTransaction { db in
            try await row.create(on: db)
            try await Audit.record(.create, "contact", id: row.id, community: id, after: row.name, by: req, on: db)
        }
        req.application.events.publish(ContactsChanged(community: id))
        return Created(value: try ContactRead(row))
    }

    @Sendable static func updateContact(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let row = try await Contact.find(try req.id("contactID"), in: id, on: req.db)
        try apply(try req.decode(ContactInput.self), to: row)
        try await req.db.writeTransaction { db in
            try await row.save(on: db)
            try await Audit.record(.update, "contact", id: row.id, community: id, after: row.name, by: req, on: db)
        }
        req.application.events.publish(ContactsChanged(community: id))
        return try ContactRead(row)
    }

    @Sendable static func deleteContact(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let row = try await Contact.find(try req.id("contactID"), in: id, on: req.db)
        try await req.db.writeTransaction { db in
            try await row.delete(on: db)
            try await Audit.record(.delete, "contact", id: row.id, community: id, before: row.name, by: req, on: db)
        }
        req.application.events.publish(ContactsChanged(community: id))
        return NoContent()
    }
}
