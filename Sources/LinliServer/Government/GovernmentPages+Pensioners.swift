import Fluent
import Foundation
import LinliCore
import Vapor

/// The console's pensioners tab: due this month, overdue, bedridden (or all), each with its due day, the
/// days left in words and the community's signs of life; recording an authentication, asking a home visit.
extension GovernmentPages {
    struct PensionerRow: Encodable {
        let name: String
        let idLast4: String
        let phone: String
        let last: String
        let due: String
        let left: String
        let overdue: Bool
        let signs: String
        let action: String
        let bedridden: Bool
    }

    struct PensionersPage: Encodable {
        let header: ConsolePages.Header
        let filters: [ConsolePages.Option]
        let current: String
        let rows: [PensionerRow]
        let total: Int
        let today: String
        let importAction: String
    }

    @Sendable static func pensionersPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "pensioners")
        let today = CivilApplications.today(req.clock.now())
        let due = req.query[String.self, at: "due"] ?? ""
        let rows = try await Pensioners.list(header.id, due: due.isEmpty ? nil : due, today: today, on: req.db)
        var lines: [PensionerRow] = []
        for row in rows.prefix(100) {
            let read = try await PensionerRead.withSigns(row, today: today, app: req.application, on: req.db)
            let left = read.daysLeft < 0 ? req.t("gov.pension.overdueBy", ["n": "\(-read.daysLeft)"]) : req.t("gov.pension.daysLeft", ["n": "\(read.daysLeft)"])
            let signs = read.signs.map { req.t("gov.sign.\($0.source)") + " " + Calendar.chinaMinute($0.at) }.joined(separator: "；")
            lines.append(
                PensionerRow(
                    name: read.name, idLast4: read.idLast4, phone: read.phone, last: read.lastAuthenticatedOn, due: read.dueOn, left: left,
                    overdue: read.daysLeft < 0, signs: signs.isEmpty ? req.t("gov.pension.noSigns") : signs,
                    action: GovernmentRoute.pensionerAuthentication(header.id, read.id).path, bedridden: read.bedridden))
        }
        let filters = ["", "month", "overdue", "bedridden"].map {
            ConsolePages.Option(value: $0.isEmpty ? GovernmentRoute.pensioners(header.id).path : GovernmentRoute.pensioners(header.id).path + "?due=" + $0, label: req.t("gov.pension.filter." + ($0.isEmpty ? "all" : $0)))
        }
        return try await req.render(
            "government/pensioners", title: req.t("console.tab.pensioners"),
            PensionersPage(header: header, filters: filters, current: due, rows: lines, total: rows.count, today: today.description,
                importAction: GovernmentRoute.pensionerImport(header.id).path))
    }

    /// The bureau's list sent as a file (or pasted): all rows or none; a refusal names each bad line.
    @Sendable static func postPensionerImport(_ req: Request) async throws -> Response {
        struct Form: Content {
            var file: File?
            var csv: String?
        }
        let community = try req.scope.communityID()
        let form = try req.content.decode(Form.self)
        let text = form.file.flatMap { $0.data.readableBytes > 0 ? String(buffer: $0.data) : nil } ?? form.csv ?? ""
        do {
            let count = try await Pensioners.importCSV(text, community: community, now: req.clock.now(), on: req.db)
            try await Audit.record(.create, "pensioners", id: nil, community: community, after: "\(count)", by: req, on: req.db)
            req.flash(req.t("gov.pension.imported", ["n": "\(count)"]))
        } catch let error as LinliError where error.code == .importRejected {
            let lines = error.issues.prefix(10).map { issue in
                req.t("gov.pension.badLine", ["line": "\(issue.line ?? 0)", "reason": req.reasonText(issue) ?? issue.reason])
            }
            req.flash(([req.t("gov.pension.rejected")] + lines).joined(separator: " "), error: true)
        }
        return req.redirect(to: GovernmentRoute.pensioners(community).path)
    }

    /// The row's form: `on` and `channel` record an authentication; `visit` asks a worker's home visit.
    @Sendable static func postAuthentication(_ req: Request) async throws -> Response {
        struct Form: Content {
            var on: String?
            var channel: String?
            var visit: String?
        }
        let form = try req.content.decode(Form.self)
        let community = try req.scope.communityID()
        if form.visit != nil {
            _ = try await GovernmentServices.askHomeVisit(req)
        } else {
            let row = try await Pensioner.find(try req.id("pensionerID"), in: community, on: req.db)
            try await Pensioners.record(row, on: form.on ?? "", channel: form.channel ?? "", today: CivilApplications.today(req.clock.now()), on: req.db)
            try await Audit.record(.update, "pensioner", id: row.id, community: community, after: "\(form.on ?? "") \(form.channel ?? "")", by: req, on: req.db)
        }
        req.flash(req.t("console.saved"))
        return req.redirect(to: GovernmentRoute.pensioners(community).path)
    }
}
