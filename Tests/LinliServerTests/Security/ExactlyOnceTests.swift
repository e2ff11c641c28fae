import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 7 of the trust issue: every counted transition is a conditional write with its record, so
/// parallel repeats do it once — refunds, charges, pass entries, QR uses, work-order steps, alarm
/// acknowledgements; money is recorded pending before the provider is called and reconciled.
@Suite struct ExactlyOnceTests {
    func parallel(_ count: Int, _ call: @escaping @Sendable (Int) async throws -> HTTPStatus) async throws
        -> [HTTPStatus]
    {
        try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for i in 0..<count { group.addTask { try await call(i) } }
            return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
        }
    }

    @Test func eightParallelCancelsRefundOnce() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let service = try await ServiceTests().service(h, op, capacity: 2)
            let booked = try await ServiceTests().book(h, owner, service.id, home: h.world.home)
                .content.decode(BookingOut.self)
            #expect(booked.paid)
            let statuses = try await parallel(8) { _ in
                try await h.send(.POST, "/api/v1/bookings/\(booked.id)/cancel", token: owner).status
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7)
            #expect(try await Payment.query(on: h.app.db).filter(\.$kind == .refund).count() == 1)
            #expect(try await MoneyMovement.query(on: h.app.db).filter(\.$kind == .refund).count() == 1)
            #expect(try await MoneyMovement.query(on: h.app.db).filter(\.$status == .pending).count() == 0)
        }
    }

    /// Charges once, then loses the answer (the crash between charging and recording).
    final class LostAnswerProvider: PaymentProvider, @unchecked Sendable {
        let name = "test"
        let charges = NIOLockedValueBox([String: Int]())
        let failing = NIOLockedValueBox(true)
        func charge(key: String, cents: Int) async throws -> String {
            charges.withLockedValue { $0[key, default: 0] += 1 }
            if failing.withLockedValue({ $0 }) { throw URLError(.networkConnectionLost) }
            return "ref-" + key
        }
        func refund(key: String, reference: String, cents: Int) async throws -> String { "r-" + key }
        func payout(key: String, cents: Int) async throws -> String { "p-" + key }
    }

    @Test func aChargeWhoseAnswerWasLostIsReconciledOnce() async throws {
        try await withLinli { h in
            let provider = LostAnswerProvider()
            h.app.payments = provider
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let service = try await ServiceTests().service(h, op, capacity: 2)
            let response = try await ServiceTests().book(h, owner, service.id, home: h.world.home)
            #expect(response.status == .serviceUnavailable)
            // Recorded as pending before the provider was called; the seat is held, nothing is paid yet.
            let pending = try #require(try await MoneyMovement.query(on: h.app.db).first())
            #expect(pending.status == .pending && pending.kind == .charge)
            #expect(try await Payment.query(on: h.app.db).count() == 0)
            // The provider is back; reconciling settles it once, however often it runs.
            provider.failing.withLockedValue { $0 = false }
            h.clock.advance(by: 120)
            #expect(try await MoneyMovements.reconcile(provider: provider, now: h.clock.now(), on: h.app.db) == 1)
            #expect(try await MoneyMovements.reconcile(provider: provider, now: h.clock.now(), on: h.app.db) == 0)
            #expect(try await Payment.query(on: h.app.db).filter(\.$kind == .charge).count() == 1)
            let booking = try #require(try await Booking.find(pending.subjectID, on: h.app.db))
            #expect(booking.paidAt != nil && booking.status == .booked)
            #expect(provider.charges.withLockedValue { $0 }.values.reduce(0, +) == 2)  // the call, then the same key
        }
    }

    @Test func aOneEntryPassAndOneQRCodeOpenOneGateAtOnce() async throws {
        try await withLinli { h in
            let s = try await AccessTests().setup(h)
            let op = s.op
            let (second, _) = try await h.device("face_gate", "侧门闸机", token: op)
            let other = try await h.send(
                .POST, h.community + "/gates", token: op, raw: #"{"name":"侧门","kind":"pedestrian","deviceIDs":["\#(second)"]}"#)
            #expect(other.status == .created)
            let owner = try await h.token("owner")
            let iso = ISO8601DateFormatter()
            let now = h.clock.now()
            let pass = try await h.send(
                .POST, "/api/v1/me/visitor-passes", token: owner,
                raw:
                    #"{"householdID":"\#(h.world.home)","visitorName":"李阿姨","validFrom":"\#(iso.string(from: now.addingTimeInterval(-60)))","validUntil":"\#(iso.string(from: now.addingTimeInterval(7200)))","entries":1}"#
            ).content.decode(PassCreated.self)
            let answers = try await withThrowingTaskGroup(of: DecideAnswer.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        try await h.send(
                            .POST, "/api/v1/devices/access/decide",
                            raw: #"{"gate":"\#(s.gate)","method":"qr","credential":"\#(pass.pass.qr)","eventId":"p-\#(i)"}"#,
                            headers: ["Authorization": "Bearer \(s.terminal)"]
                        ).content.decode(DecideAnswer.self)
                    }
                }
                return try await group.reduce(into: [DecideAnswer]()) { $0.append($1) }
            }
            #expect(answers.filter(\.allow).count == 1, "\(answers.map(\.reason))")
            #expect(answers.filter { !$0.allow }.allSatisfy { $0.reason == "pass_used_up" })
            #expect(try await VisitorPass.query(on: h.app.db).first()?.entriesUsed == 1)
            // Every answer was logged before it was given.
            #expect(try await AccessEvent.query(on: h.app.db).count() == 6)
            #expect(try await AccessEvent.query(on: h.app.db).filter(\.$allow == true).count() == 1)

            // One rotating QR code read by six gates at the same moment: one opens.
            let code = try await h.send(.GET, "/api/v1/me/access/qr", token: owner).content.decode(AccessAPI.QRRead.self)
            let qrAnswers = try await withThrowingTaskGroup(of: DecideAnswer.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        try await h.send(
                            .POST, "/api/v1/devices/access/decide",
                            raw: #"{"gate":"\#(s.gate)","method":"qr","credential":"\#(code.payload)","eventId":"r-\#(i)"}"#,
                            headers: ["Authorization": "Bearer \(s.terminal)"]
                        ).content.decode(DecideAnswer.self)
                    }
                }
                return try await group.reduce(into: [DecideAnswer]()) { $0.append($1) }
            }
            #expect(qrAnswers.filter(\.allow).count == 1, "\(qrAnswers.map(\.reason))")
        }
    }

    @Test func parallelWorkOrderStepsAndAcknowledgementsHappenOnce() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let staff = try await h.token("property")
            let order = try await WorkOrderTests().file(h, owner, "cleaning")
            let statuses = try await parallel(6) { _ in
                try await WorkOrderTests().act(h, staff, order.id, "accept").status
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            let accepts = try await WorkOrderEvent.query(on: h.app.db).filter(\.$orderID == order.id)
                .filter(\.$action == "accept").count()
            #expect(accepts == 1)

            let op = try await h.token("operator")
            let (_, token) = try await h.device("smoke", "烟感", token: op)
            #expect(try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"battery":5}"#).status == .ok)
            let alarm = try #require(try await Alarm.query(on: h.app.db).filter(\.$type == "low_battery").first())
            let guardToken = try await h.token("guard")
            let acks = try await parallel(6) { _ in
                try await h.send(.POST, h.community + "/alarms/\(alarm.id!)/ack", token: guardToken).status
            }
            #expect(acks.filter { $0 == .ok || $0 == .noContent }.count == 1, "\(acks)")
            #expect(try await AuditEntry.query(on: h.app.db).filter(\.$action == "acknowledge").count() == 1)
        }
    }

    /// Class 9: a reading whose alarm could not be recorded is not acknowledged; the device's retry
    /// raises it.
    @Test func aReadingIsAcknowledgedOnlyOnceItsAlarmIsRecorded() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let rule = try await h.send(
                .POST, h.community + "/rules", token: op,
                raw:
                    #"{"name":"烟雾","key":"smoke","condition":{"kind":"above","value":0.5},"actions":[{"kind":"alarm","on":"fire","alarmType":"smoke","severity":"critical"}]}"#
            )
            #expect(rule.status == .created, "\(rule.text)")
            let (_, token) = try await h.device("smoke", "厨房烟感", token: op)
            guard let sql = h.app.db as? any SQLDatabase else { return }
            // The alarm table cannot be written: the reading is stored, but the answer is not a success.
            try await sql.raw("ALTER TABLE alarms RENAME TO alarms_away").run()
            let first = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"ts":1790000000000,"values":{"smoke":true}}"#)
            try await sql.raw("ALTER TABLE alarms_away RENAME TO alarms").run()
            #expect(first.status == .serviceUnavailable, "\(first.status)")
            #expect(try await Alarm.query(on: h.app.db).count() == 0)
            // The device retries the same reading: now the alarm is raised, and the reading is stored once.
            let retry = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"ts":1790000000000,"values":{"smoke":true}}"#)
            #expect(retry.status == .ok)
            #expect(try await Alarm.query(on: h.app.db).filter(\.$type == "smoke").count() == 1)
        }
    }
}
