import Fluent
import Foundation
import LinliCore
import Vapor

/// Adds devices from CSV — `type,name,serial,building,room,zone` (Chinese headers 类型,名称,序列号,楼栋,房号,区域
/// also work): all rows or none; every bad row is reported with its line and reason.
enum DeviceImporter {
    static let columns: [String: String] = [
        "type": "type", "类型": "type", "name": "name", "名称": "name", "serial": "serial", "序列号": "serial",
        "building": "building", "楼栋": "building", "room": "room", "房号": "room", "zone": "zone", "区域": "zone",
    ]

    static func run(_ text: String, in community: UUID, on req: Request) async throws -> [ImportedDevice] {
        try req.authorize(.manageDevices(community))
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch {
            throw LinliError(.importRejected, issues: [FieldIssue(field: "", line: 1, reason: "import.malformed_csv")])
        }
        var index: [String: Int] = [:]
        var issues: [FieldIssue] = []
        for (position, name) in table.header.enumerated() {
            guard let column = columns[name.trimmingCharacters(in: .whitespaces).lowercased()] ?? columns[name] else {
                issues.append(FieldIssue(field: name, line: 1, reason: "import.unknown_column"))
                continue
            }
            index[column] = position
        }
        for required in ["type", "name"] where index[required] == nil {
            issues.append(FieldIssue(field: required, line: 1, reason: "missing_value"))
        }
        guard issues.isEmpty else { throw LinliError(.importRejected, issues: issues) }
        guard table.records.count <= 5000 else {
            throw LinliError(.importRejected, issues: [FieldIssue(field: "", line: 1, reason: "import.too_many_rows")])
        }
        let buildings = try await Building.scoped(to: community, on: req.db).all()
        let households = try await Household.scoped(to: community, on: req.db).all()
        let existing = Set(try await Device.scoped(to: community, on: req.db).all().map(\.name))
        var names = Set<String>()
        var inputs: [(Int, DeviceCreate)] = []
        for record in table.records {
            func field(_ name: String) -> String? {
                guard let position = index[name], position < record.fields.count else { return nil }
                let value = record.fields[position].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            guard record.fields.count == table.header.count else {
                issues.append(FieldIssue(field: "", line: record.line, reason: "import.wrong_field_count"))
                continue
            }
            let type = field("type") ?? ""
            if DeviceCatalog.type(type) == nil {
                issues.append(FieldIssue(field: "type", line: record.line, reason: "unknown_device_type"))
            }
            let name = field("name") ?? ""
            if name.isEmpty || name.count > 60 {
                issues.append(FieldIssue(field: "name", line: record.line, reason: "missing_value"))
            } else if existing.contains(name) || !names.insert(name).inserted {
                issues.append(FieldIssue(field: "name", line: record.line, reason: "taken"))
            }
            var buildingID: UUID?
            var householdID: UUID?
            if let building = field("building") {
                buildingID = buildings.first { $0.name == building }?.id
                if buildingID == nil {
                    issues.append(FieldIssue(field: "building", line: record.line, reason: "import.unknown_household"))
                }
                if let room = field("room"), let buildingID {
                    householdID = households.first { $0.buildingID == buildingID && $0.room == room }?.id
                    if householdID == nil {
                        issues.append(FieldIssue(field: "room", line: record.line, reason: "import.unknown_household"))
                    }
                }
            }
            inputs.append(
                (
                    record.line,
                    DeviceCreate(
                        type: type, name: name, serial: field("serial"), buildingID: buildingID,
                        householdID: householdID,
                        zone: field("zone"), attributes: nil, sharedAttributes: nil)
                ))
        }
        guard issues.isEmpty else { throw LinliError(.importRejected, issues: issues) }
        let now = req.clock.now()
        let rows = inputs
        return try await req.db.writeTransaction { db in
            var created: [ImportedDevice] = []
            for (line, input) in rows {
                let device = Device()
                device.communityID = community
                device.type = input.type
                device.name = input.name
                device.serial = input.serial
                device.buildingID = input.buildingID
                device.householdID = input.householdID
                device.zone = input.zone
                device.attributes = "{}"
                device.clientAttributes = "{}"
                device.sharedAttributes = "{}"
                device.disabled = false
                device.provisioned = false
                let token = Secret.alphanumeric(20)
                device.tokenHash = Secret.hash(token)
                try await device.create(on: db)
                created.append(
                    ImportedDevice(line: line, device: try DeviceRead(device, lastSeen: nil, now: now), token: token))
            }
            try await Audit.record(
                .import, "device", id: nil, community: community, after: ["count": created.count], by: req, on: db)
            return created
        }
    }
}
