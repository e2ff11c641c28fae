import Fluent

/// Shift hours of a staff role (gate access outside them is refused).
struct AddStaffShift: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema).field("shift_start", .int).update()
        try await database.schema(StaffAssignment.schema).field("shift_end", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema).deleteField("shift_end").update()
        try await database.schema(StaffAssignment.schema).deleteField("shift_start").update()
    }
}
