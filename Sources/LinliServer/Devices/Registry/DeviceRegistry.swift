import Fluent
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
        req.application.events.publish(.deviceChanged(device: try device.requireID()))
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
        req.application.events.publish(.deviceChanged(device: try device.requireID()))
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
        req.application.events.publish(.deviceChanged(device: id))
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

    static func validate(_ input: RuleInput, id: UUID, in community: UUID, on req: Request) async throws -> Rule {
        var v = Validation()
        let name = v.text(input.name, "name", max: 80) ?? ""
        let key = v.text(input.key, "key", max: 64) ?? ""
        if let missing = input.condition.missingField { v.fail("condition.\(missing)", "missing_value") }
        v.range(input.forMinutes, "forMinutes", 0...10_080)
        if input.actions.isEmpty { v.fail("actions", "missing_value") }
        let scope = input.scope ?? RuleScope()
        if let type = scope.deviceType, DeviceCatalog.type(type) == nil {
            v.fail("scope.deviceType", "unknown_device_type")
        }
        for (index, action) in input.actions.enumerated() {
            if let missing = action.missingField { v.fail("actions[\(index)].\(missing)", "missing_value") }
            if action.kind == .alarm, action.on == .clear { v.fail("actions[\(index)].on", "invalid_value") }
            if action.kind == .command, action.targetDeviceID == nil,
                let type = scope.deviceType.flatMap(DeviceCatalog.type),
                !type.openKeys, type.command(action.method ?? "") == nil
            {
                v.fail("actions[\(index)].method", "unknown_method")
            }
            if (action.title ?? "").count > 120 { v.fail("actions[\(index)].title", "too_long") }
        }
        try v.check()
        if let building = scope.buildingID { _ = try await Building.find(building, in: community, on: req.db) }
        if let household = scope.householdID { _ = try await Household.find(household, in: community, on: req.db) }
        if let device = scope.deviceID { _ = try await Device.find(device, in: community, on: req.db) }
        for action in input.actions {
            if let target = action.targetDeviceID { _ = try await Device.find(target, in: community, on: req.db) }
        }
        return Rule(
            id: id, name: name, enabled: input.enabled ?? true, scope: scope, key: key, condition: input.condition,
            forMinutes: input.forMinutes ?? 0, actions: input.actions)
    }

    static func saveRule(_ input: RuleInput, existing: RuleRecord?, in community: UUID, by req: Request) async throws
        -> Rule
    {
        try req.authorize(.manageDevices(community))
        let record = existing ?? RuleRecord()
        let id = existing?.id ?? UUID()
        let rule = try await validate(input, id: id, in: community, on: req)
        let before = existing.flatMap { try? JSONDecoder.linli.decode(Rule.self, from: Data($0.definition.utf8)) }
        record.id = id
        record.communityID = community
        record.name = rule.name
        record.enabled = rule.enabled
        record.definition = String(decoding: try JSONEncoder.linli.encode(rule), as: UTF8.self)
        try await req.db.writeTransaction { db in
            if try await RuleRecord.scoped(to: community, on: db).filter(\.$name == rule.name).filter(\.$id != id)
                .first()
                != nil
            {
                throw LinliError(.conflict)
            }
            try await record.save(on: db)
            if let before, before.condition != rule.condition || before.key != rule.key || before.scope != rule.scope {
                try await RuleStateRecord.query(on: db).filter(\.$ruleID == id).delete()
            }
            try await Audit.record(
                existing == nil ? .create : .update, "rule", id: id, community: community,
                before: before.map(RuleRead.init),
                after: RuleRead(rule), by: req, on: db)
        }
        if let before, before.condition != rule.condition || before.key != rule.key || before.scope != rule.scope {
            await req.deviceHub.rules.forget(rule: id)
        }
        await req.deviceHub.rules.invalidate()
        return rule
    }

    static func deleteRule(_ record: RuleRecord, by req: Request) async throws {
        try req.authorize(.manageDevices(record.communityID))
        let id = try record.requireID()
        try await req.db.writeTransaction { db in
            try await RuleStateRecord.query(on: db).filter(\.$ruleID == id).delete()
            try await record.delete(on: db)
            try await Audit.record(.delete, "rule", id: id, community: record.communityID, by: req, on: db)
        }
        await req.deviceHub.rules.forget(rule: id)
        await req.deviceHub.rules.invalidate()
    }

    static func rule(_ record: RuleRecord) throws -> Rule {
        try JSONDecoder.linli.decode(Rule.self, from: Data(record.definition.utf8))
    }

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

    static func finish(_ task: StaffTask, by req: Request) async throws {
        try req.authorize(.handleAlarms(task.communityID))
        guard task.status == "open" else { return }
        task.status = "done"
        task.doneAt = req.clock.now()
        task.doneBy = try req.user().person.name
        try await req.db.writeTransaction { db in
            try await task.save(on: db)
            try await Audit.record(.update, "task", id: task.id, community: task.communityID, by: req, on: db)
        }
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

/// ThingsBoard-style provisioning: a device registers itself with its community's key and secret.
enum Provisioning {
    struct ProvisionRequest: Decodable {
        let deviceName: String?
        let provisionDeviceKey: String
        let provisionDeviceSecret: String
        let deviceType: String?
        let credentialsType: String?
        let token: String?
    }

    struct Answer: Content {
        let status: String
        let credentialsType: String
        let credentialsValue: String
    }

    /// Wrong secrets are throttled per provisioning key and per source address; a proposed token must
    /// be long and varied enough; a taken token, a full community or a wrong secret all get the same
    /// 401, so the endpoint tells a guesser nothing.
    static func provision(_ req: Request) async throws -> Answer {
        let input = try req.decode(ProvisionRequest.self)
        if let type = input.credentialsType, type != "ACCESS_TOKEN" {
            throw LinliError.invalid("credentialsType", "invalid_value")
        }
        if let chosen = input.token, !TokenStrength.isStrongEnough(chosen) {
            throw LinliError.invalid("token", "weak_token")
        }
        guard input.provisionDeviceKey.utf8.count <= 128, input.provisionDeviceSecret.utf8.count <= 256 else {
            throw LinliError(.provisionDenied)
        }
        var keys = [("provision-key:" + input.provisionDeviceKey, keyThrottle)]
        if let address = req.remoteAddress?.ipAddress { keys.append(("provision-ip:" + address, addressThrottle)) }
        var token = ""
        try await AttemptThrottle.guarded(keys, failure: LinliError(.provisionDenied), on: req) {
            guard
                let row = try await DeviceProvisioning.query(on: req.db)
                    .filter(\.$key == input.provisionDeviceKey).first(),
                row.enabled, row.secretHash == Secret.hash(input.provisionDeviceSecret)
            else { return false }
            let made = try await Device.query(on: req.db).filter(\.$communityID == row.communityID)
                .filter(\.$provisioned == true).count()
            guard made < row.maxDevices else { return false }
            let name = input.deviceName ?? "device-" + Secret.alphanumeric(8).lowercased()
            do {
                (_, token) = try await DeviceRegistry.create(
                    in: row.communityID,
                    DeviceCreate(
                        type: input.deviceType ?? row.defaultType, name: name, serial: nil, buildingID: nil,
                        householdID: nil, zone: nil, attributes: nil, sharedAttributes: nil), provisioned: true,
                    token: input.token, by: req)
            } catch let error as LinliError where error.code == .conflict && input.token != nil {
                return false
            }
            return true
        }
        return Answer(status: "SUCCESS", credentialsType: "ACCESS_TOKEN", credentialsValue: token)
    }

    static let keyThrottle = LoginThrottle()
    static let addressThrottle: LoginThrottle = {
        var throttle = LoginThrottle()
        throttle.slowAfter = 10
        throttle.lockAfter = 30
        return throttle
    }()
}
