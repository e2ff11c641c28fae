import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    @Sendable static func importResidentsPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "import")
        try req.authorize(.manageRegistry(header.id))
        return try await req.render(
            "community/import", title: req.t("console.import"),
            ImportPage(header: header, result: nil, issues: [], error: nil))
    }

    @Sendable static func postImportResidents(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "import")
        let form = try req.content.decode(ImportForm.self)
        let text = form.file.flatMap { $0.data.readableBytes > 0 ? String(buffer: $0.data) : nil } ?? form.csv ?? ""
        do {
            let result = try await ResidentImporter.run(text, in: header.id, on: req)
            return try await req.render(
                "community/import", title: req.t("console.import"),
                ImportPage(
                    header: header,
                    result: req.t("import.done", ["created": "\(result.created)", "people": "\(result.people)"]),
                    issues: [], error: nil))
        } catch let error as LinliError where error.code == .importRejected {
            let issues = error.issues.map { issue in
                ImportIssue(
                    line: issue.line ?? 0, column: issue.field.map { req.fieldName($0) } ?? "",
                    reason: req.reasonText(issue) ?? issue.reason)
            }
            return try await req.render(
                "community/import", title: req.t("console.import"),
                ImportPage(
                    header: header, result: nil, issues: issues,
                    error: req.t("error.import_rejected.detail", error.arguments)), status: .unprocessableEntity)
        }
    }

    @Sendable static func auditPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "audit")
        try req.authorize(.viewAudit(header.id))
        let options = try req.listOptions(.audit)
        let page = try await AuditEntry.scoped(to: header.id, on: req.db).page(options) {
            $0
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = Calendar.china.timeZone
        return try await req.render(
            "console/list", title: req.t("console.audit"),
            ListPage(
                header: header, heading: req.t("console.audit"),
                columns: [
                    req.t("field.at"), req.t("field.actor"), req.t("field.action"), req.t("field.entity"),
                    req.t("field.change"),
                ],
                rows: page.items.map { e in
                    Row(
                        cells: [
                            formatter.string(from: e.at), e.actorName, req.t("audit.\(e.action)"), e.entity,
                            [e.before.map { "− " + $0 }, e.after.map { "+ " + $0 }].compactMap { $0 }.joined(
                                separator: "\n"),
                        ],
                        href: nil, action: nil, actionLabel: nil)
                }, pager: pager(page.metadata, req), query: "", searchable: false, form: nil, buildings: [],
                households: [], extra: [:]))
    }
}
