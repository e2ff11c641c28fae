import Fluent
import Foundation
import LinliCore
import Vapor

/// The demo community's gates: the main gate with its two face terminals and a card reader at each
/// building's door, cards for the first residents of every building, a week of access history, today's
/// expected visitors — and, while the demo runs, residents tapping their cards (the guard's live feed).
enum DemoGates {
    /// Cards are `DEMO-CARD-<n>`: public, like the device tokens.
    static func card(_ index: Int) -> String { "DEMO-CARD-\(index + 1)" }
    static let cardsPerBuilding = 12

    /// The terminal's token number (`DemoDevices.Spec.number`) and the gate of a decision.
    struct Door: Sendable {
        let gate: UUID
        let terminal: Int
        let building: UUID?
    }

    static func terminal(_ name: String) -> Int? { DemoDevices.specs.first { $0.name == name }?.number }

    static func seed(
        _ db: any Database, community: UUID, buildings: [Building], households: [Household],
        memberships: [Membership], now: Date
    ) async throws {
        let devices = Dictionary(
            uniqueKeysWithValues: try await Device.query(on: db).filter(\.$communityID == community).all().compactMap {
                d in d.id.map { (d.name, $0) }
            })
        var gates: [Gate] = []
        func gate(_ name: String, _ kind: GateKind, building: UUID?, terminals: [String]) {
            let gate = Gate()
            gate.id = UUID()
            gate.communityID = community
            gate.name = name
            gate.kind = kind
            gate.buildingID = building
            gate.deviceIDs = terminals.compactMap { devices[$0] }
            gates.append(gate)
        }
        gate("正门", .main, building: nil, terminals: ["正门人脸闸机1", "正门人脸闸机2"])
        for building in buildings.sorted(by: { $0.name < $1.name }) {
            let reader = "\(building.name)单元门禁"
            if devices[reader] != nil {
                gate("\(building.name)单元门", .building, building: building.id, terminals: [reader])
            }
        }
        try await gates.create(on: db)

        // Cards for the first residents of each building with a door.
        var rng = SeededRandom(seed: 4_004)
        let households = Household.byID(households)
        var holders: [(person: UUID, building: UUID)] = []
        for gate in gates where gate.kind == .building {
            let residents = memberships.filter { m in
                m.movedOut == nil && households[m.householdID]?.buildingID == gate.buildingID
            }
            for m in residents.prefix(cardsPerBuilding) { holders.append((m.personID, gate.buildingID!)) }
        }
        let key = try await CredentialKey.of(community, on: db)
        var credentials: [AccessCredential] = []
        for (index, holder) in holders.enumerated() {
            let row = AccessCredential()
            row.communityID = community
            row.personID = holder.person
            row.kind = .card
            row.valueHash = key.hash(card(index))
            row.createdAt = now.addingTimeInterval(-30 * 86_400)
            row.revoked = false
            credentials.append(row)
        }
        try await credentials.create(on: db)

        // A week of decisions: residents at the main gate and their own door, peaks at 8:00 and 18:00.
        var events: [AccessEvent] = []
        let terminals = Dictionary(uniqueKeysWithValues: gates.map { ($0.id!, $0.deviceIDs) })
        for hour in stride(from: 7 * 24, to: 0, by: -1) {
            let at = now.addingTimeInterval(-Double(hour) * 3600)
            let clock = Calendar.china.component(.hour, from: at)
            let busy = [7, 8, 17, 18, 19].contains(clock) ? 6 : (clock < 6 ? 0 : 2)
            for _ in 0..<busy {
                guard !holders.isEmpty else { break }
                let holder = holders[rng.next(holders.count)]
                let door =
                    rng.next(2) == 0 ? gates[0] : gates.first { $0.buildingID == holder.building } ?? gates[0]
                let refused = rng.next(40) == 0
                let event = AccessEvent()
                event.id = UUID()
                event.communityID = community
                event.gateID = door.id
                event.deviceID = terminals[door.id!]?.first ?? UUID()
                event.eventID = "demo-\(hour)-\(events.count)"
                event.personID = refused ? nil : holder.person
                event.method = [AccessMethod.card, .card, .qr][rng.next(3)]
                event.allow = !refused
                event.reason = refused ? .unknownCredential : .resident
                event.latencyMs = 2 + Double(rng.next(30)) / 10
                event.at = at.addingTimeInterval(Double(rng.next(3600)))
                event.source = "server"
                events.append(event)
            }
        }
        try await events.create(inChunksOn: db)
    }

    /// Every few seconds a card holder taps at the main gate or their building's door, through the
    /// server's own decision API (now and then an unknown card), so the guard's feed is alive.
    static func simulate(_ app: Application, url: String) -> Task<Void, Never> {
        Task {
            var rng = SeededRandom(seed: UInt64(Date().timeIntervalSince1970))
            var doors: [Door] = []
            for _ in 0..<100 where doors.isEmpty {
                try? await Task.sleep(nanoseconds: 300_000_000)
                doors = (try? await gates(app)) ?? []
            }
            guard let main = doors.first(where: { $0.building == nil }) else { return }
            let buildingDoors = doors.filter { $0.building != nil }
            var n = 0
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(4 + rng.next(9)) * 1_000_000_000)
                n += 1
                // Cards were given out building by building, in the order of the building doors.
                let holder = rng.next(max(1, buildingDoors.count * cardsPerBuilding))
                let own =
                    buildingDoors.isEmpty
                    ? main : buildingDoors[min(holder / cardsPerBuilding, buildingDoors.count - 1)]
                let door = rng.next(2) == 0 ? main : own
                let credential = rng.next(25) == 0 ? "LOST-\(rng.next(1000))" : card(holder)
                let body =
                    #"{"gate":"\#(door.gate)","method":"card","credential":"\#(credential)","eventId":"sim-\#(UInt64(Date().timeIntervalSince1970))-\#(n)","ts":\#(Int64(Date().timeIntervalSince1970 * 1000))}"#
                _ = try? await app.client.post(URI(string: url + "/api/v1/devices/access/decide")) { req in
                    req.headers.bearerAuthorization = BearerAuthorization(token: DemoDevices.token(door.terminal))
                    req.headers.contentType = .json
                    req.body = ByteBuffer(string: body)
                }
            }
        }
    }

    static func gates(_ app: Application) async throws -> [Door] {
        let devices = try await Device.query(on: app.db).all()
        let names = Dictionary(uniqueKeysWithValues: devices.compactMap { d in d.id.map { ($0, d.name) } })
        return try await Gate.query(on: app.db).sort(\.$name).all().compactMap { gate in
            guard let id = gate.id, let first = gate.deviceIDs.first, let name = names[first],
                let index = terminal(name)
            else { return nil }
            return Door(gate: id, terminal: index, building: gate.buildingID)
        }
    }
}

extension Access {
    static var deviceTypes: [DeviceType] { AccessDevices.types }

    static var demoDevices: [DemoDevices.Spec] {
        [
            DemoDevices.Spec(1, "正门人脸闸机1", "face_gate", zone: "正门"),
            DemoDevices.Spec(2, "正门人脸闸机2", "face_gate", zone: "正门"),
            DemoDevices.Spec(3, "1栋单元门禁", "access_reader", building: "1栋"),
            DemoDevices.Spec(4, "2栋单元门禁", "access_reader", building: "2栋"),
            DemoDevices.Spec(5, "3栋单元门禁", "access_reader", building: "3栋"),
            DemoDevices.Spec(6, "1栋101智能门锁", "door_lock", building: "1栋", room: "101"),
            DemoDevices.Spec(7, "2栋302智能门锁", "door_lock", building: "2栋", room: "302"),
        ]
    }
}
