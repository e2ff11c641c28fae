import Fluent
import Foundation
import LinliCore

/// The demo's home security: panels in every state (made by the panel's own steps, so each is one the
/// rules can reach), a week of calls worked by the demo guard, one call still open, emergency contacts.
/// 1栋101 — whose door and motion sensors the simulator drives at random — stays disarmed.
enum DemoSecurity {
    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        let buildings = Dictionary(uniqueKeysWithValues: world.communityBuildings.compactMap { b in b.id.map { ($0, b) } })
        let homes = world.communityHouseholds.filter { "\(buildings[$0.buildingID]?.name ?? "")\($0.room)" != "1栋101" }
        guard homes.count >= 9 else { return }
        let now = world.now
        let guardID = world.staffMember(.guard_)
        var rng = SeededRandom(seed: 20_261_202)
        let instant = AlarmPanel.Settings(exitDelay: 0, entryDelay: 30, abortWindow: 30)
        let standard = AlarmPanel.Settings()
        func store(_ home: Household, _ panel: AlarmPanel, _ settings: AlarmPanel.Settings, at: Date) async throws {
            let row = SecurityPanel()
            row.communityID = home.communityID
            row.householdID = try home.requireID()
            row.panelJSON = String(decoding: try JSONEncoder().encode(panel), as: UTF8.self)
            row.settingsJSON = String(
                decoding: try JSONEncoder().encode(SecuritySettings(panel: settings, sensors: [:])), as: UTF8.self)
            row.version = 1
            row.nextDue = panel.nextDue
            row.scheduled = false
            row.updatedAt = at
            try await row.create(on: db)
        }
        func line(_ home: Household, _ kind: String, mode: String?, call: UUID? = nil, at: Date) async throws {
            let event = SecurityEvent()
            event.communityID = home.communityID
            event.householdID = try home.requireID()
            event.kind = kind
            event.mode = mode
            event.callID = call
            event.hidden = false
            event.at = at
            try await event.create(on: db)
        }
        // Settled states: armed at once (no exit delay in these homes).
        for (home, mode) in zip(homes[0..<4], [AlarmPanel.Mode.armedHome, .armedAway, .armedNight, .armedVacation]) {
            var panel = AlarmPanel()
            let at = now.addingTimeInterval(-3600)
            try panel.arm(mode, open: [], force: false, settings: instant, now: at)
            try await store(home, panel, instant, at: at)
            try await line(home, "state.\(mode.rawValue)", mode: mode.rawValue, at: at)
        }
        // Living states: leaving now (the exit delay runs), coming home (the entry delay runs), triggered.
        var arming = AlarmPanel()
        try arming.arm(.armedAway, open: [], force: false, settings: standard, now: now)
        _ = arming.sensor("", .entry, settings: standard, now: now.addingTimeInterval(5))
        try await store(homes[4], arming, standard, at: now)
        try await line(homes[4], "state.arming", mode: "armed_away", at: now)
        var pending = AlarmPanel()
        try pending.arm(.armedAway, open: [], force: false, settings: instant, now: now.addingTimeInterval(-7200))
        let door = ""
        _ = pending.sensor(door, .entry, settings: instant, now: now)
        try await store(homes[5], pending, instant, at: now)
        try await line(homes[5], "state.pending", mode: "armed_away", at: now)
        var triggered = AlarmPanel()
        let raised = now.addingTimeInterval(-40)
        try triggered.arm(.armedAway, open: [], force: false, settings: instant, now: now.addingTimeInterval(-9000))
        _ = triggered.sensor("", .perimeter, settings: instant, now: raised.addingTimeInterval(-30))
        _ = triggered.advance(to: raised, settings: instant)
        try await store(homes[6], triggered, instant, at: raised)
        let open = GuardCall()
        open.communityID = homes[6].communityID
        open.householdID = try homes[6].requireID()
        open.kind = .intrusion
        open.step = .raised
        open.raisedAt = raised
        open.escalations = 0
        open.nextEscalationAt = raised.addingTimeInterval(60)
        open.repeats = 0
        try await open.create(on: db)
        try await line(homes[6], "reported", mode: "armed_away", call: open.id, at: raised)
        // A week of calls the demo guard worked: acknowledged, on site, resolved, mostly false alarms.
        let outcomes: [GuardDesk.Outcome] = [.falseAlarm, .falseAlarm, .real, .test, .cancelledByResident, .falseAlarm]
        let kinds: [GuardDesk.Kind] = [.intrusion, .unconfirmed, .hazard, .intrusion, .panic, .intrusion]
        for day in 1...7 {
            for n in 0..<2 {
                let home = homes[(day * 2 + n) % homes.count]
                let at = now.addingTimeInterval(-Double(day) * 86_400 + Double(rng.next() % 36_000))
                let call = GuardCall()
                call.communityID = home.communityID
                call.householdID = try home.requireID()
                call.kind = kinds[(day + n) % kinds.count]
                call.step = .resolved
                call.raisedAt = at
                let ack = at.addingTimeInterval(Double(15 + rng.next() % 70))
                call.acknowledgedAt = ack
                call.acknowledgedBy = guardID
                call.dispatchedAt = ack.addingTimeInterval(20)
                call.guardID = guardID
                call.onSiteAt = ack.addingTimeInterval(Double(120 + rng.next() % 300))
                call.resolvedAt = call.onSiteAt?.addingTimeInterval(300)
                call.resolvedBy = guardID
                call.outcome = outcomes[(day + n) % outcomes.count]
                call.note = call.outcome == .real ? "厨房烟雾，住户已处理" : "门窗未关好"
                call.escalations = ack.timeIntervalSince(at) > 60 ? 1 : 0
                call.repeats = 0
                try await call.create(on: db)
                try await line(home, "reported", mode: "armed_away", call: call.id, at: at)
                try await line(home, "call.resolved", mode: nil, call: call.id, at: call.resolvedAt ?? at)
            }
        }
        for home in homes.prefix(7) {
            let contact = EmergencyContact()
            contact.communityID = home.communityID
            contact.householdID = try home.requireID()
            contact.name = "家属 \(home.room)"
            contact.phone = "139" + String(format: "%08d", Int(rng.next() % 100_000_000))
            contact.relation = "子女"
            contact.position = 0
            try await contact.create(on: db)
        }
    }
}

extension HomeSecurityFeature {
    static var deviceTypes: [DeviceType] { SecurityDevices.types }

    static var demoDevices: [DemoDevices.Spec] {
        [
            DemoDevices.Spec(8, "1栋101门磁", "door_contact", building: "1栋", room: "101"),
            DemoDevices.Spec(9, "1栋101人体感应", "motion", building: "1栋", room: "101"),
            DemoDevices.Spec(10, "3栋502人体感应", "motion", building: "3栋", room: "502"),
            DemoDevices.Spec(11, "1栋101烟感", "smoke", building: "1栋", room: "101"),
            DemoDevices.Spec(12, "地下车库烟感", "smoke", zone: "地下车库"),
            DemoDevices.Spec(13, "1栋101燃气探测器", "gas", building: "1栋", room: "101"),
            DemoDevices.Spec(14, "4栋1204燃气探测器", "gas", building: "4栋", room: "1204"),
            DemoDevices.Spec(15, "1栋101水浸", "water_leak", building: "1栋", room: "101"),
            DemoDevices.Spec(16, "5栋801水浸", "water_leak", building: "5栋", room: "801"),
            DemoDevices.Spec(17, "1栋101紧急按钮", "emergency_button", building: "1栋", room: "101"),
            DemoDevices.Spec(18, "6栋1501紧急按钮", "emergency_button", building: "6栋", room: "1501", idle: true),
            DemoDevices.Spec(36, "2栋302门磁", "door_contact", building: "2栋", room: "302"),
            DemoDevices.Spec(37, "2栋302人体感应", "motion", building: "2栋", room: "302"),
        ]
    }
}
