import Fluent
import SQLKit
import Foundation
import LinliCore
import Vapor

/// The device hub's writes, shared by the JSON API and the console pages. Each one authorises,
/// validates, writes in one transaction and audits in that same transaction.
enum DeviceRegistry {
    /// Creates a device and returns it with its new token (shown once).
    static func create(
        in community: UUID, _ input: DeviceCreate, provisioned: Bool = false, token chosen: String? = nil,
        by req: Request
    ) async throws -> (Device, String) {
        if !provisioned { try req.authorize(.manageDevices(community)) }
        let device = Device()
        device.communityID = community
        device.attributes = JSON.object(input.attributes ?? [:]).text
        device.sharedAttributes = JSON.object(input.sharedAttributes ?? [:]).text
        device.clientAttributes = "{}"
        device.disabled = false
        device.provisioned = provisioned
        try await apply(
            DeviceUpdate(
                type: input.type, name: input.name, serial: input.serial, buildingID: input.buildingID,
                householdID: input.householdID, zone: input.zone, attributes: nil, disabled: nil), to: device,
            creating: true, on: req)
        let token = chosen ?? Secret.alphanumeric(20)
        device.tokenHash = Secret.hash(token)
        try await req.db.writeTransaction { db in
            if try await Device.scoped(to: community, on: db).filter(\.$name == device.name).first() != nil {
                throw LinliError(.conflict)
            }
            if try await Device.query(on: db).filter(\.$tokenHash == device.tokenHash).first() != nil {
                throw LinliError(.conflict)
            }
            try await device.create(on: db)
            try await Audit.record(
                .create, "device", id: device.id, community: community,
                after: try DeviceRead(device, lastSeen: nil, now: req.clock.now()), by: req, on: db)
        }
        return (device, token)
    }

    /// Validates and applies a change to the row (not saved).
    static func apply(_ input: DeviceUpdate, to device: Device, creating: Bool, on req: Request) async throws {
        var v = Validation()
        if let type = input.type ?? (creating ? "" : nil) {
            if DeviceCatalog.type(type) == nil { v.fail("type", "unknown_device_type") } else { device.type = type }
        }
        if let name = v.text(input.name, "name", max: 60, required: creating) { device.name = name }
        if let serial = input.serial {
            device.serial = v.text(serial, "serial", max: 60, required: false)
        }
        if let zone = input.zone { device.zone = v.text(zone, "zone", max: 40, required: false) }
        if let disabled = input.disabled { device.disabled = disabled }
        try v.check()
        if let building = input.buildingID {
            _ = try await Building.find(building, in: device.communityID, on: req.db)
            device.buildingID = building
        }
        if let householdID = input.householdID {
            let household = try await Household.find(householdID, in: device.communityID, on: req.db)
            device.householdID = householdID
            device.buildingID = household.buildingID
        }
        if let attributes = input.attributes {
            var merged = DeviceAttributes.object(device.attributes)
            for (key, value) in attributes {
                if value == .null { merged.removeValue(forKey: key) } else { merged[key] = value }
            }
            device.attributes = JSON.object(merged).text
        }
    }

    static func update(_ device: Device, _ input: DeviceUpdate, by req: Request) async throws {
        try req.authorize(.manageDevices(device.communityID))
        let before = try DeviceRead(device, lastSeen: nil, now: req.clock.now())
        try await apply(input, to: device, creating: false, on: req)
        try await req.db.writeTransaction { db in
            if try await Device.scoped(to: device.communityID, on: db).filter(\.$name == device.name)
                .filter(\.$id != device.requireID()).first() != nil
            {
                throw LinliError(.conflict)
            }
            try await device.save(on: db)
            try await Audit.record(
                .update, "device", id: device.id, community: device.communityID, before: before,
                after: try DeviceRead(device, lastSeen: nil, now: req.clock.now()), by: req, on: db)
        }
        req.application.events.publish(DeviceChanged(device: try device.requireID()))
    }

    /// Binds an unbound device to a household of its community, for whoever the caller found may (family
    /// with a TV's pairing code): one conditional write, so of two at once one binds; false when it was
    /// bound already.
    static func bind(_ device: UUID, to household: Household, alsoIn: @escaping @Sendable (any Database) async throws -> Void, by req: Request)
        async throws -> Bool
    {
        let householdID = try household.requireID()
        let bound = try await req.db.writeTransaction { tx -> Bool in
            let changed = try await tx.conditionalUpdate(Device.schema) {
                $0.set("household_id", to: householdID).set("building_id", to: household.buildingID)
                    .where("id", .equal, device).where("community_id", .equal, household.communityID)
                    .where("household_id", .is, SQLLiteral.null)
            }
            guard changed == 1 else { return false }
            try await alsoIn(tx)
            try await Audit.record(.update, "device", id: device, community: household.communityID, after: ["householdID": householdID.uuidString], by: req, on: tx)
            return true
        }
        if bound { req.application.events.publish(DeviceChanged(device: device)) }
        return bound
    }

    /// A new token; the old one stops working at once.
    static func rotateToken(_ device: Device, by req: Request) async throws -> String {
        try req.authorize(.manageDevices(device.communityID))
        let token = Secret.alphanumeric(20)
        device.tokenHash = Secret.hash(token)
        try await req.db.writeTransaction { db in
            try await device.save(on: db)
            try await Audit.record(
                .rotateToken, "device", id: device.id, community: device.communityID, by: req, on: db)
        }
        req.application.events.publish(DeviceChanged(device: try device.requireID()))
        return token
    }

    static func delete(_ device: Device, by req: Request) async throws {
        try req.authorize(.manageDevices(device.communityID))
        let id = try device.requireID()
        let before = try DeviceRead(device, lastSeen: nil, now: req.clock.now())
        try await req.db.writeTransaction { db in
            try await TelemetryStore.forget(id, on: db)
            try await device.delete(on: db)
            try await Audit.record(
                .delete, "device", id: id, community: device.communityID, before: before, by: req, on: db)
        }
        req.application.events.publish(DeviceChanged(device: id))
    }

    /// Sets shared attributes and wakes the device's attribute long poll with the change.
    static func share(_ values: [String: JSON], with device: Device, by req: Request) async throws {
        try req.authorize(.sendCommands(device.communityID))
        let id = try device.requireID()
        try await DeviceAttributes.merge(values, into: id, side: .shared, on: req.db)
        try await Audit.record(
            .update, "device_shared_attributes", id: id, community: device.communityID, after: JSON.object(values),
            by: req, on: req.db)
        await req.deviceHub.signals.post(id, .attributes, .object(values))
    }

    static func sendCommand(to device: Device, _ input: CommandCreate, by req: Request) async throws -> DeviceCommand {
        try req.authorize(.sendCommands(device.communityID))
        var v = Validation()
        let method = v.text(input.method, "method", max: 64) ?? ""
        let type = DeviceCatalog.type(device.type)
        if let type, !type.openKeys, type.command(method) == nil, !method.isEmpty { v.fail("method", "unknown_method") }
        v.range(input.expiresInSeconds, "expiresInSeconds", 10...(30 * 86_400))
        v.range(input.maxRetries, "maxRetries", 0...20)
        v.range(input.replyTimeoutSeconds, "replyTimeoutSeconds", 1...86_400)
        if let params = input.params, params.text.utf8.count > 16_384 { v.fail("params", "too_long") }
        try v.check()
        return try await CommandQueue.enqueue(
            device, method: method, params: input.params ?? .object([:]),
            twoWay: input.twoWay ?? type?.command(method)?.twoWay ?? false,
            expiresIn: TimeInterval(input.expiresInSeconds ?? 3600), maxRetries: input.maxRetries ?? 3,
            replyTimeout: TimeInterval(input.replyTimeoutSeconds ?? 60), by: req.auth.get(CurrentUser.self)?.person.id,
            now: req.clock.now(), on: req
        ) { command, db in
            try await Audit.record(
                .command, "device_command", id: device.id, community: device.communityID,
                after: try CommandRead(command), by: req, on: db)
        }
    }

    // MARK: rules

    // MARK: alarms and tasks

    static func acknowledge(_ alarm: Alarm, by req: Request) async throws {
        try req.authorize(.handleAlarms(alarm.communityID))
        let name = try req.user().person.name
        try await req.db.writeTransaction { db in
            guard try await Alarms.acknowledge(alarm, by: name, now: req.clock.now(), on: db) else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
            }
            try await Audit.record(.acknowledge, "alarm", id: alarm.id, community: alarm.communityID, by: req, on: db)
        }
        await Alarms.publish(alarm, to: req.deviceHub)
    }

    static func clear(_ alarm: Alarm, by req: Request) async throws {
        try req.authorize(.handleAlarms(alarm.communityID))
        let name = try req.user().person.name
        try await req.db.writeTransaction { db in
            guard try await Alarms.clear(alarm, by: name, now: req.clock.now(), on: db) else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
            }
            try await Audit.record(.clear, "alarm", id: alarm.id, community: alarm.communityID, by: req, on: db)
        }
        await Alarms.publish(alarm, to: req.deviceHub)
    }

    /// Marks the task done; false when it already was (a conditional write: of two taps at once, one
    /// finishes it).
    @discardableResult
    static func finish(_ task: StaffTask, by req: Request) async throws -> Bool {
        try req.authorize(.handleAlarms(task.communityID))
        guard task.status == .open, let id = task.id else { return false }
        let now = req.clock.now()
        let name = try req.user().person.name
        let finished = try await req.db.writeTransaction { db in
            guard try await StaffTasks.close(id, by: name, now: now, on: db) else { return false }
            try await Audit.record(.update, "task", id: id, community: task.communityID, by: req, on: db)
            return true
        }
        task.status = .done
        if finished {
            task.doneAt = now
            task.doneBy = name
        }
        return finished
    }

    // MARK: provisioning

    static func setProvisioning(_ input: ProvisioningUpdate, in community: UUID, by req: Request) async throws
        -> DeviceProvisioning
    {
        try req.authorize(.manageDevices(community))
        let existing = try await DeviceProvisioning.query(on: req.db).filter(\.$communityID == community).first()
        var v = Validation()
        let key = v.text(input.key ?? existing?.key, "key", max: 64, required: input.enabled)
        let secret = v.text(input.secret, "secret", max: 128, required: input.enabled && existing == nil)
        if let secret, secret.count < 8 { v.fail("secret", "too_short") }
        if let type = input.defaultType, DeviceCatalog.type(type) == nil {
            v.fail("defaultType", "unknown_device_type")
        }
        v.range(input.maxDevices, "maxDevices", 0...10_000)
        try v.check()
        let row = existing ?? DeviceProvisioning()
        row.maxDevices = input.maxDevices ?? existing?.maxDevices ?? DeviceProvisioning.defaultCap
        row.communityID = community
        row.key = key ?? row.key
        if let secret { row.secretHash = Secret.hash(secret) }
        row.enabled = input.enabled
        row.defaultType = input.defaultType ?? existing?.defaultType ?? DeviceCatalog.genericKey
        if row.key.isEmpty { row.key = "community-" + community.uuidString.lowercased() }
        if existing == nil, secret == nil { row.secretHash = Secret.hash(Secret.alphanumeric(32)) }
        try await req.db.writeTransaction { db in
            if let other = try await DeviceProvisioning.query(on: db).filter(\.$key == row.key).first(),
                other.communityID != community
            {
                throw LinliError.invalid("key", "taken")
            }
            try await row.save(on: db)
            try await Audit.record(
                .update, "provisioning", id: row.id, community: community,
                after: ProvisioningRead(row), by: req,
                on: db)
        }
        return row
    }
}
