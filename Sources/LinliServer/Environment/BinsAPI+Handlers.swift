import Fluent
import Foundation
import LinliCore
import Vapor

extension BinsAPI {
    @Sendable static func listBins(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let page = try await Device.query(on: req.db).filter(\.$communityID == id).filter(\.$type == "bin_level")
            .filter(\.$disabled == false).page(try req.listOptions(.bins), map: { $0 })
        return ListPage(
            items: try await reads(page.items, now: req.clock.now(), on: req.db), metadata: page.metadata)
    }

    @Sendable static func binRound(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try req.page(try await round(id, now: req.clock.now(), on: req.db), .binRound)
    }

    @Sendable static func binFigures(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let weeks = try req.query.get(Int?.self, at: "weeks") ?? 4
        guard (1...12).contains(weeks) else { throw LinliError.invalid("weeks", "out_of_range") }
        return try await figures(id, weeks: weeks, now: req.clock.now(), on: req.db)
    }

    @Sendable static func updateBin(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let (device, _) = try await bin(req, id)
        let bin = try await Bins.bin(for: device, now: req.clock.now(), on: req.db)
        let input = try req.decode(BinSettingsInput.self)
        var v = Validation()
        if let c = input.capacityLitres, !(1...10_000).contains(c) { v.fail("capacityLitres", "out_of_range") }
        var shift: Shift?
        if let text = input.workingHours {
            shift = Shift(text: text)
            if shift.map({ $0.start < $0.end && $0.end <= 1440 }) != true { v.fail("workingHours", "invalid_value") }
        }
        if let t = input.threshold, !(t.isFinite && (10...100).contains(t)) { v.fail("threshold", "out_of_range") }
        if let f = input.fireCelsius, !(f.isFinite && (30...150).contains(f)) { v.fail("fireCelsius", "out_of_range") }
        try v.check()
        bin.capacityLitres = input.capacityLitres ?? bin.capacityLitres
        if let shift {
            bin.workStart = shift.start
            bin.workEnd = shift.end
        }
        bin.threshold = input.threshold ?? bin.threshold
        bin.fireCelsius = input.fireCelsius ?? bin.fireCelsius
        bin.updatedAt = req.clock.now()
        try await req.db.writeTransaction { db in
            try await bin.save(on: db)
            try await Audit.record(.update, "waste_bin", id: bin.id, community: id, after: device.name, by: req, on: db)
        }
        return try await reads([device], now: req.clock.now(), on: req.db)[0]
    }

    @Sendable static func binEmptied(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let (device, bin) = try await bin(req, id)
        guard try await Bins.done(bin, by: try req.user().person.name, now: req.clock.now(), app: req.application)
        else { throw LinliError(.conflict, issues: [FieldIssue(field: "deviceID", reason: "no_open_task")]) }
        return try await reads([device], now: req.clock.now(), on: req.db)[0]
    }
}
