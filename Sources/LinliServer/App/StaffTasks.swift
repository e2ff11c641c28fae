import Fluent
import Foundation
import LinliCore
import SQLKit

/// Where a staff task stands; stored as its raw value.
enum TaskStatus: String, Codable, Sendable, CaseIterable {
    case open, done
}

/// A task on the staff's list: for everyone of a role in the community, or for one person, often about a
/// device or an alarm. Features open and close tasks only through ``StaffTasks``.
final class StaffTask: Model, @unchecked Sendable {
    static let schema = "staff_tasks"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "role") var role: StaffRole
    /// For this person only (nil: anyone of the role).
    @OptionalField(key: "person_id") var personID: UUID?
    /// A string key (`task.bin.collect`), shown in the reader's language.
    @Field(key: "title") var title: String
    @OptionalField(key: "device_id") var deviceID: UUID?
    @OptionalField(key: "alarm_id") var alarmID: UUID?
    @Field(key: "status") var status: TaskStatus
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "done_at") var doneAt: Date?
    @OptionalField(key: "done_by") var doneBy: String?

    init() {}
}

extension StaffTask: CommunityScoped {
    static var communityField: KeyPath<StaffTask, FieldProperty<StaffTask, UUID>> { \.$communityID }
}

/// The staff's task list, one for every feature: a feature opens a task for a role or a person, changes
/// its title, and closes it, always inside the transaction that records why. Closing is a conditional
/// write on the status, so of two closes at once exactly one reports true.
enum StaffTasks {
    /// Who a task is for and what it is about.
    struct Subject: Sendable {
        var role: StaffRole = .propertyStaff
        var person: UUID? = nil
        var device: UUID? = nil
        var alarm: UUID? = nil
    }

    /// Opens a task; its id (`id` when the caller needs to know it before, to point at it in one write).
    @discardableResult
    static func open(
        _ title: String, _ subject: Subject, community: UUID, id: UUID = UUID(), now: Date, on db: any Database
    ) async throws -> UUID {
        let task = StaffTask()
        task.id = id
        task.communityID = community
        task.role = subject.role
        task.personID = subject.person
        task.title = title
        task.deviceID = subject.device
        task.alarmID = subject.alarm
        task.status = .open
        task.createdAt = now
        try await task.create(on: db)
        return id
    }

    /// Opens a task about `device` unless one with this title is still open for it; true when one was opened.
    static func openOnce(
        _ title: String, device: UUID, for role: StaffRole = .propertyStaff, community: UUID, now: Date,
        on db: any Database
    ) async throws -> Bool {
        guard try await StaffTask.query(on: db).filter(\.$deviceID == device).filter(\.$title == title)
            .filter(\.$status == .open).count() == 0
        else { return false }
        try await open(title, Subject(role: role, device: device), community: community, now: now, on: db)
        return true
    }

    /// Gives an open task another title (a step further, a new reason); false when it is closed or gone.
    @discardableResult
    static func retitle(_ id: UUID, _ title: String, on db: any Database) async throws -> Bool {
        try await db.conditionalUpdate(StaffTask.schema) {
            $0.set("title", to: title).where("id", .equal, id).where("status", .equal, TaskStatus.open.rawValue)
        } == 1
    }

    /// Closes an open task; false when it already was closed (or is gone).
    @discardableResult
    static func close(_ id: UUID, by: String, now: Date, on db: any Database) async throws -> Bool {
        try await db.conditionalUpdate(StaffTask.schema) {
            $0.set("status", to: TaskStatus.done.rawValue).set("done_at", to: now).set("done_by", to: by)
                .where("id", .equal, id).where("status", .equal, TaskStatus.open.rawValue)
        } == 1
    }

    /// Closes the open tasks with this title about `device`; how many were closed.
    @discardableResult
    static func close(_ title: String, device: UUID, by: String, now: Date, on db: any Database) async throws -> Int {
        try await db.conditionalUpdate(StaffTask.schema) {
            $0.set("status", to: TaskStatus.done.rawValue).set("done_at", to: now).set("done_by", to: by)
                .where("device_id", .equal, device).where("title", .equal, title)
                .where("status", .equal, TaskStatus.open.rawValue)
        }
    }

    /// Where the task stands (nil: no such task).
    static func status(_ id: UUID, on db: any Database) async throws -> TaskStatus? {
        try await StaffTask.find(id, on: db)?.status
    }
}

/// Tasks may be for one person (added after the table, which the device hub made first).
struct AddStaffTaskPerson: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffTask.schema).field("person_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffTask.schema).deleteField("person_id").update()
    }
}
