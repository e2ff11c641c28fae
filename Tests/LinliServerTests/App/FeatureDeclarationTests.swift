import Foundation
import LinliCore
import Testing
import Vapor

@testable import LinliServer

/// What the features declare is whole and consistent: the shell reads only these declarations.
@Suite struct FeatureDeclarationTests {
    @Test func everyDeviceTypeIsDeclaredOnceAndEveryDemoDeviceHasADeclaredTypeAndItsOwnNumber() async throws {
        try await withLinli { _ in
            let declared = Features.all.flatMap { $0.deviceTypes }.map(\.key)
            #expect(Set(declared).count == declared.count, "a type declared twice: \(declared)")
            #expect(Set(DeviceCatalog.all.map(\.key)) == Set(declared))
            let specs = DemoDevices.specs
            let numbers = specs.map(\.number)
            #expect(Set(numbers).count == numbers.count, "a token number used twice")
            #expect(numbers == Array(1...specs.count), "token numbers run 1…\(specs.count) without a gap")
            for spec in specs { #expect(DeviceCatalog.type(spec.type) != nil, "\(spec.name): \(spec.type)") }
            // Every type but the keypad (which the household's panel drives) stands somewhere in the demo.
            let placed = Set(specs.map(\.type))
            #expect(Set(declared).subtracting(placed) == ["alarm_keypad"])
        }
    }

    @Test func homeTilesAndCommandsAreDeclaredByTheirFeatures() async throws {
        try await withLinli { h in
            let tiles = h.app.homeTiles.all
            #expect(Set(tiles.map(\.name)).count == tiles.count)
            #expect(tiles.map(\.order) == tiles.map(\.order).sorted())
            for tile in tiles { #expect(L10n.table(.en)[tile.label] != nil && L10n.table(.zhCN)[tile.label] != nil, "\(tile.label)") }
            let commands = Features.all.flatMap { $0.commands }.map(\.name)
            #expect(Set(commands) == ["simulate", "seed-faces", "care-replay", "environment-replay", "qa", "analytics-bench"])
        }
    }

    @Test func theStyleSheetIsThePlatformsThenEachFeaturesThenElderMode() async throws {
        try await withLinli { h in
            let sheet = try await h.send(.GET, "/css/linli.css")
            #expect(sheet.status == .ok && sheet.headers.contentType?.subType == "css")
            let text = sheet.text
            let declared = Features.all.compactMap { $0.css }
            #expect(declared.count >= 7)
            var last = text.range(of: ":root")?.lowerBound
            #expect(last != nil)
            for file in declared {
                let own = try String(contentsOfFile: h.app.directory.resourcesDirectory + "Views/" + file, encoding: .utf8)
                let first = own.split(separator: "\n").first { !$0.hasPrefix("/*") && !$0.isEmpty }.map(String.init) ?? ""
                let at = text.range(of: first)?.lowerBound
                #expect(at != nil && at! > last!, "\(file) comes after what precedes it")
                last = at ?? last
            }
            #expect(text.range(of: "body.elder a")!.lowerBound > last!)
            let etag = try #require(sheet.headers.first(name: .eTag))
            let again = try await h.send(.GET, "/css/linli.css", headers: ["If-None-Match": etag])
            #expect(again.status == .notModified && again.body.readableBytes == 0)
        }
    }
}
