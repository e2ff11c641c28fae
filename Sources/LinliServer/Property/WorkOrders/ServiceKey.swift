import Fluent
import Foundation
import LinliCore
import Vapor

/// The green service key of a home's call button (`emergency_button` reporting `service: true`; the red
/// key, `pressed`, is an alarm for the guards): a help request, filed as a work order for the property
/// team. The press is a job row committed before the device gets its answer, named by the device and
/// the ten minutes it fell in, so a key held down or pressed again and again files one order, and the
/// order is filed even if the server stops right after.
enum ServiceKey {
    static let job = "workorders.service_key"
    /// Presses of one key closer together than this are one request.
    static let window: TimeInterval = 600

    static func pressed(_ readings: [Reading]) -> Bool {
        readings.contains { $0.key == "service" && $0.value == .bool(true) }
    }

    struct Observer: TelemetryObserver {
        let app: Application

        func observe(_ batches: [TelemetryBatch], now: Date) async throws {
            for batch in batches
            where batch.device.type == "emergency_button" && batch.device.facts.householdID != nil
                && !batch.device.disabled && ServiceKey.pressed(batch.readings)
            {
                let bucket = Int(now.timeIntervalSince1970 / ServiceKey.window)
                try await app.jobs.enqueue(
                    ServiceKey.job, name: "service-key-\(batch.device.id)-\(bucket)",
                    payload: batch.device.id.uuidString, at: now, on: app.db)
            }
        }
    }

    /// The job: files the order, filed by a member of the household (the key speaks for whoever lives
    /// there); while an order from the key is still open, a new press is a line on its timeline instead.
    static func file(device id: UUID, now: Date, app: Application) async throws {
        guard let device = try await Device.find(id, on: app.db), let home = device.householdID,
            let household = try await Household.find(home, on: app.db)
        else { return }
        if let open = try await WorkOrder.query(on: app.db).filter(\.$householdID == home)
            .filter(\.$category == .helpAtHome).filter(\.$channel == "device")
            .filter(\.$status ~~ [.submitted, .accepted, .onTheWay]).first()
        {
            try await WorkOrderService.event(open, "pressedAgain", by: nil, note: device.name, at: now, on: app.db)
            app.events.publish(WorkOrdersChanged(community: household.communityID))
            return
        }
        let today = Calendar.chinaDate(now)
        let members = try await Membership.query(on: app.db).filter(\.$householdID == home).sort(\.$movedIn).all()
            .filter { $0.isCurrent(on: today) }
        guard let member = members.first else {
            // Nobody lives there on record: the property team still hears of it.
            try await Notifier.send(
                "work.serviceKey.description", .property, to: .init(role: .propertyStaff, household: home),
                community: household.communityID, device: id, now: now, on: app.db)
            app.events.publish(NotificationsChanged(community: household.communityID))
            return
        }
        let description = L10n.text("work.serviceKey.description", .zhCN) + " (\(device.name))"
        _ = try await WorkOrderService.file(
            household, category: .helpAtHome, description: description, place: device.zone ?? "", preferredTime: nil,
            by: member.personID, channel: "device", now: now, on: app.db, events: app.events)
    }

    static func register(_ app: Application) {
        app.deviceHub.observers.add(Observer(app: app))
        app.jobs.on(job) { app, job in
            guard let id = job.payload.flatMap(UUID.init(uuidString:)) else { return }
            try await file(device: id, now: job.now, app: app)
        }
    }
}
