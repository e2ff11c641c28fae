import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Materials (photos and PDFs): checked for type and size, readable only by the applicant, their
/// household's adults and the workers, each read logged; parallel uploads stop at the limit. Kinds an
/// operator adds; the periodic re-check of an approved 低保, reminded once.
@Suite struct MaterialTests {
    let pdf = Data("%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".utf8)

    func upload(_ h: Harness, _ path: String, _ bytes: Data, _ type: String, token: String) async throws -> TestingHTTPResponse {
        try await h.app.testing().sendRequest(
            .POST, path, headers: ["Authorization": "Bearer \(token)", "Content-Type": type], body: ByteBuffer(data: bytes))
    }

    func dibao(_ h: Harness) async throws -> ApplicationRead {
        let made = try await h.send(
            .POST, h.community + "/applications", token: try await h.token("worker"),
            raw: #"{"kind":"dibao","personID":"\#(h.world.owner)","householdID":"\#(h.world.home)"}"#)
        return try made.content.decode(ApplicationRead.self)
    }

    func step(_ h: Harness, _ id: UUID, _ body: String) async throws -> TestingHTTPResponse {
        try await h.send(.POST, h.community + "/applications/\(id)/steps", token: try await h.token("worker"), raw: body)
    }

    @Test func materialsAreCheckedAndOnlyTheHouseholdAndTheWorkersReadThemEachReadLogged() async throws {
        try await withLinli { h in
            let a = try await dibao(h)
            _ = try await step(h, a.id, #"{"step":"incomplete","missing":["income_proof","hukou"]}"#)
            let owner = try await h.token("owner")
            let mine = "/api/v1/me/applications/\(a.id)/materials"
            #expect(try await upload(h, mine + "?material=income_proof", Data("hello".utf8), "text/plain", token: owner).status == .unsupportedMediaType)
            #expect(try await upload(h, mine + "?material=income_proof", Data("<html>".utf8), "application/pdf", token: owner).status == .unprocessableEntity)
            #expect(try await upload(h, mine + "?material=passport", pdf, "application/pdf", token: owner).status == .unprocessableEntity)
            var big = Data("%PDF-".utf8)
            big.append(Data(count: 5 * 1024 * 1024))
            #expect(try await upload(h, mine + "?material=income_proof", big, "application/pdf", token: owner).status == .payloadTooLarge)
            #expect(try await upload(h, mine + "?material=income_proof", pdf, "application/pdf", token: try await h.token("neighbour")).status == .notFound)
            let stored = try await upload(h, mine + "?material=income_proof", pdf, "application/pdf", token: owner)
            #expect(stored.status == .created, "\(stored.text)")
            let material = try stored.content.decode(MaterialInfo.self)
            // What the worker listed as missing is no longer missing once it is sent.
            let detail = try await h.send(.GET, "/api/v1/me/applications/\(a.id)", token: owner).content.decode(ApplicationRead.self)
            #expect(detail.missing == ["hukou"] && detail.materials?.map(\.id) == [material.id])
            // The household's other adult and the worker read it; a neighbour and another community do not.
            let family = try await h.send(.GET, mine + "/\(material.id)", token: try await h.token("family"))
            #expect(family.status == .ok && Data(buffer: family.body) == pdf && family.headers.first(name: .contentDisposition)?.hasPrefix("attachment") == true)
            #expect(family.headers.first(name: .cacheControl)?.contains("no-store") == true)
            let byWorker = try await h.send(.GET, h.community + "/applications/\(a.id)/materials/\(material.id)", token: try await h.token("worker"))
            #expect(byWorker.status == .ok)
            #expect(try await h.send(.GET, mine + "/\(material.id)", token: try await h.token("neighbour")).status == .notFound)
            #expect(try await h.send(.GET, "/api/v1/communities/\(h.world.b)/applications/\(a.id)/materials/\(material.id)", token: try await h.token("operatorB")).status == .notFound)
            #expect(try await h.send(.GET, h.community + "/applications/\(a.id)/materials/\(material.id)", token: try await h.token("guard")).status == .forbidden)
            let reads = try await h.send(.GET, h.community + "/applications/\(a.id)/material-reads", token: try await h.token("worker"))
                .content.decode(ListPage<MaterialReadInfo>.self).items
            #expect(reads.count == 2 && Set(reads.map(\.readerName)) == ["陈静", "worker"])
            #expect(try await h.send(.GET, h.community + "/applications/\(a.id)/material-reads", token: owner).status == .forbidden)
            // Refused reads are not logged as reads; the list never carries the bytes.
            #expect(try await h.count(MaterialReadRow.self) == 2)
            #expect(!(try await h.send(.GET, "/api/v1/me/applications/\(a.id)", token: owner).text.contains("%PDF")))
        }
    }

    @Test func parallelUploadsStopAtTwentyAndADecidedApplicationTakesNoMore() async throws {
        try await withLinli { h in
            let a = try await dibao(h)
            let worker = try await h.token("worker")
            let path = h.community + "/applications/\(a.id)/materials?material=other"
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<24 { group.addTask { try await upload(h, path, png, "image/png", token: worker).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 20 && statuses.filter { $0 == .unprocessableEntity }.count == 4)
            #expect(try await h.count(ApplicationMaterial.self) == 20)
            #expect(try await h.count(MaterialFile.self) == 20)
            let withdrawn = try await dibao(h)
            _ = try await step(h, withdrawn.id, #"{"step":"withdraw"}"#)
            let late = h.community + "/applications/\(withdrawn.id)/materials"
            #expect(try await upload(h, late, pdf, "application/pdf", token: worker).status == .conflict)
        }
    }

    @Test func operatorsAddKindsOfTheirOwn() async throws {
        try await withLinli { h in
            let path = h.community + "/application-kinds"
            let op = try await h.token("operator")
            let body = #"{"code":"rent_subsidy","name":"公租房租金补贴","materials":["租赁合同","收入证明"],"recheckMonths":12}"#
            #expect(try await h.send(.POST, path, token: try await h.token("worker"), raw: body).status == .forbidden)
            #expect(try await h.send(.POST, path, token: op, raw: body).status == .created)
            #expect(try await h.send(.POST, path, token: op, raw: body).status == .conflict)
            #expect(try await h.send(.POST, path, token: op, raw: body.replacingOccurrences(of: "rent_subsidy", with: "dibao")).status == .conflict)
            for bad in [
                #"{"code":"Rent","name":"x","materials":["a"]}"#, #"{"code":"ok_code","name":"x","materials":[]}"#,
                #"{"code":"ok_code","name":"x","materials":["a","a"]}"#, #"{"code":"ok_code","name":" ","materials":["a"]}"#,
            ] {
                let answer = try await h.send(.POST, path, token: op, raw: bad)
                #expect(answer.status == .unprocessableEntity || answer.status == .badRequest, "\(bad)")
            }
            let kinds = try await h.send(.GET, path, token: try await h.token("owner")).content.decode(ListPage<KindRead>.self).items
            #expect(kinds.map(\.code) == ["dibao", "temporary_relief", "elderly_allowance", "residence_certificate", "rent_subsidy"])
            #expect(kinds.last?.name == "公租房租金补贴" && kinds.last?.builtIn == false && kinds.first?.builtIn == true)
            let applied = try await h.send(
                .POST, "/api/v1/me/applications", token: try await h.token("owner"), json: ["kind": "rent_subsidy", "householdID": h.world.home.uuidString])
            #expect(applied.status == .created)
            let id = try applied.content.decode(ApplicationRead.self).id
            #expect(try await step(h, id, #"{"step":"incomplete","missing":["租赁合同"]}"#).status == .ok)
            // Another community does not have it.
            let elsewhere = try await h.send(
                .POST, "/api/v1/me/applications", token: try await h.token("bResident"), json: ["kind": "rent_subsidy", "householdID": h.world.bHome.uuidString])
            #expect(elsewhere.status == .unprocessableEntity)
        }
    }

    @Test func anApprovedDibaoIsRecheckedOnItsPeriodRemindedOnce() async throws {
        try await withLinli { h in
            let a = try await dibao(h)
            let ids = try await Person.query(on: h.app.db).filter(\.$phone ~~ [h.world.phones["worker"]!, h.world.phones["operator"]!]).all(\.$id)
            _ = try await step(h, a.id, #"{"step":"accept"}"#)
            _ = try await step(h, a.id, #"{"step":"investigate","visitors":["\#(ids[0])","\#(ids[1])"]}"#)
            _ = try await step(h, a.id, #"{"step":"review","familySize":2,"amountFen":70000}"#)
            _ = try await step(h, a.id, #"{"step":"publicize"}"#)
            h.clock.advance(by: 7 * 86_400)  // 2026-09-28
            #expect(try await step(h, a.id, #"{"step":"recheck"}"#).status == .conflict)
            let approved = try await step(h, a.id, #"{"step":"approve","recheckMonths":6}"#).content.decode(ApplicationRead.self)
            #expect(approved.recheckDueOn == "2027-03-28")
            h.clock.advance(by: 140 * 86_400)  // 2027-02-15: 41 days before
            try await CivilApplications.escalate(now: h.clock.now(), app: h.app)
            #expect(try await StaffTask.query(on: h.app.db).filter(\.$title == "gov.task.recheck").count() == 0)
            h.clock.advance(by: 20 * 86_400)  // 2027-03-07: within 30 days
            try await CivilApplications.escalate(now: h.clock.now(), app: h.app)
            try await CivilApplications.escalate(now: h.clock.now(), app: h.app)
            #expect(try await StaffTask.query(on: h.app.db).filter(\.$title == "gov.task.recheck").count() == 1)
            let rechecked = try await step(h, a.id, #"{"step":"recheck","note":"收入未变"}"#).content.decode(ApplicationRead.self)
            #expect(rechecked.status == "approved" && rechecked.recheckDueOn == "2028-03-07")
            // A later re-check finds the household no longer eligible: refused, with reasons and the notice clock.
            #expect(try await step(h, a.id, #"{"step":"refuse"}"#).status == .unprocessableEntity)
            let stopped = try await step(h, a.id, #"{"step":"refuse","reasons":"家庭收入已超过标准"}"#).content.decode(ApplicationRead.self)
            #expect(stopped.status == "refused" && stopped.refusalNoticeDueOn != nil)
            let other = try await h.send(.POST, "/api/v1/me/applications", token: try await h.token("owner"), json: ["kind": "residence_certificate", "householdID": h.world.home.uuidString])
            let certificate = try other.content.decode(ApplicationRead.self).id
            _ = try await step(h, certificate, #"{"step":"accept"}"#)
            _ = try await step(h, certificate, #"{"step":"approve"}"#)
            #expect(try await step(h, certificate, #"{"step":"recheck"}"#).status == .conflict)
        }
    }

    @Test func theWorkerRecordsStepsOnTheConsoleAndTheResidentSendsAMaterialFromTheirPage() async throws {
        try await withLinli { h in
            let a = try await dibao(h)
            let worker = WebTests.Browser(h)
            try await worker.signIn("13800000003")
            let detailPath = "/console/\(h.world.a)/applications/\(a.id)"
            let detail = try await worker.go(.GET, detailPath)
            #expect(detail.status == .ok && detail.text.contains("王建华") && detail.text.contains("材料不全（一次性告知）"))
            #expect(!detail.text.contains("value=\"approve\""))  // only the steps that may follow now
            let tab = try await worker.go(.GET, "/console/\(h.world.a)/applications")
            #expect(tab.text.contains("href=\"\(detailPath)\""))
            let bad = try await worker.go(.POST, detailPath + "/steps", form: ["_csrf": worker.csrf(detail), "step": "review", "familySize": "x"])
            #expect(bad.status == .unprocessableEntity || bad.status == .seeOther)
            let marked = try await worker.go(.POST, detailPath + "/steps", form: ["_csrf": worker.csrf(detail), "step": "incomplete", "missing[]": "income_proof"])
            #expect(marked.status == .seeOther)
            let owner = WebTests.Browser(h)
            try await owner.signIn("13900000001")
            let mine = try await owner.go(.GET, "/applications")
            #expect(mine.text.contains("收入证明") && mine.text.contains("/applications/\(a.id)/materials"))
            let sent = try await owner.upload(
                "/applications/\(a.id)/materials", fields: ["_csrf": owner.csrf(mine), "material": "income_proof"],
                file: (name: "file", type: "application/pdf", text: "%PDF-1.4 income"))
            #expect(sent.status == .seeOther, "\(sent.text.prefix(600))")
            let fake = try await owner.upload(
                "/applications/\(a.id)/materials", fields: ["_csrf": owner.csrf(mine), "material": "hukou"],
                file: (name: "file", type: "application/pdf", text: "<script>alert(1)</script>"))
            #expect((400..<500).contains(fake.status.code) && fake.text.contains("格式不支持"))
            #expect(try await h.count(ApplicationMaterial.self) == 1)
            let material = try #require(try await ApplicationMaterial.query(on: h.app.db).first())
            let after = try await owner.go(.GET, "/applications")
            #expect(after.text.contains("已交材料") && !after.text.contains("<li>收入证明</li></ul>"))
            let opened = try await owner.go(.GET, "/applications/\(a.id)/materials/\(material.id!)")
            #expect(opened.status == .ok && opened.text == "%PDF-1.4 income")
            let stranger = WebTests.Browser(h)
            try await stranger.signIn("13900000003")
            #expect(try await stranger.go(.GET, "/applications/\(a.id)/materials/\(material.id!)").status == .notFound)
            let seen = try await worker.go(.GET, detailPath)
            #expect(seen.text.contains("查阅记录") && seen.text.contains("王建华") && seen.text.contains("收到材料"))
            let extended = try await worker.go(.POST, detailPath + "/extension", form: ["_csrf": worker.csrf(seen), "reason": "需核实异地房产"])
            #expect(extended.status == .seeOther)
            #expect(try await CivilApplication.find(a.id, on: h.app.db)?.extensionReason == "需核实异地房产")
        }
    }
}
