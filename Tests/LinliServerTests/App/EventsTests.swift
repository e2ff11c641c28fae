import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The event bus: subscribers in the process at once; between servers on one PostgreSQL through
/// LISTEN/NOTIFY, so a live console, a token cache or a face gallery on one server learns within a second
/// what happened on another.
@Suite struct EventsTests {
    @Test func subscribersGetTheirTypeOfEventAndElsewhereOnlyOnesIgnoreTheirOwn() throws {
        let bus = LinliEvents()
        let galleries = NIOLockedValueBox([UUID]())
        let elsewhere = NIOLockedValueBox([UUID]())
        let directory = NIOLockedValueBox(0)
        bus.on(GalleryChanged.self) { event in galleries.withLockedValue { $0.append(event.community) } }
        bus.on(GalleryChanged.self, elsewhereOnly: true) { event in elsewhere.withLockedValue { $0.append(event.community) } }
        bus.on(AccessDirectoryChanged.self) { _ in directory.withLockedValue { $0 += 1 } }
        let (here, there) = (UUID(), UUID())
        bus.publish(GalleryChanged(community: here))
        // From another server: its type's name and its JSON; a name nobody here follows is dropped.
        let json = String(decoding: try JSONEncoder().encode(GalleryChanged(community: there)), as: UTF8.self)
        bus.deliver(.init(name: GalleryChanged.eventName, payload: json))
        bus.deliver(.init(name: "SomethingElse", payload: "{}"))
        bus.deliver(.init(name: GalleryChanged.eventName, payload: "not json"))
        #expect(galleries.withLockedValue { $0 } == [here, there])
        #expect(elsewhere.withLockedValue { $0 } == [there])
        #expect(directory.withLockedValue { $0 } == 0)
        bus.publish(AccessDirectoryChanged())
        #expect(directory.withLockedValue { $0 } == 1)
        #expect(!bus.isShared)
    }

    @Test(.enabled(if: onPostgres)) func aSecondServerLearnsWithinASecond() async throws {
        try await withLinli { h in
            // Both servers boot as `linli serve` does (asynchronously: the event channel starts listening).
            try await h.app.asyncBoot()
            try await h.withOtherServers { servers in
                let other = servers[0].app
                let op = try await h.token("operator")
                #expect(h.app.events.isShared && other.events.isShared)

                // An alarm raised on the first server reaches a console following the second.
                let (feedID, feed) = other.deviceHub.events.subscribe(community: h.world.a)
                let got = NIOLockedValueBox([String]())
                let reader = Task { for await text in feed { got.withLockedValue { $0.append(text) } } }
                h.app.deviceHub.announce(ConsoleFrame(community: h.world.a, feed: #"{"event":"alarm"}"#))
                #expect(
                    try await eventually(within: 1) { got.withLockedValue { $0 } == [#"{"event":"alarm"}"#] },
                    "the second server's console heard \(got.withLockedValue { $0 })")
                other.deviceHub.events.unsubscribe(feedID)
                await reader.value

                // A token rotated on the first server is refused by the second within a second.
                let (deviceID, token) = try await h.device("smoke", "烟感-事件", token: op)
                _ = try await other.deviceHub.authenticate(token)  // cached there
                let rotated = try await h.send(
                    .POST, h.community + "/devices/\(deviceID)/token", token: op)
                #expect(rotated.status == .ok || rotated.status == .created, "\(rotated.status)")
                let refused = try await eventually(within: 1) {
                    do {
                        _ = try await other.deviceHub.authenticate(token)
                        return false
                    } catch { return true }
                }
                #expect(refused, "the second server still honours the old token")

                // A face change on the first server makes the second load the gallery again.
                let heard = NIOLockedValueBox(false)
                other.events.on(GalleryChanged.self, elsewhereOnly: true) { event in
                    if event.community == h.world.a { heard.withLockedValue { $0 = true } }
                }
                try h.app.faceGalleries.reload(h.world.a)
                #expect(try await eventually(within: 1) { heard.withLockedValue { $0 } })
            }
        }
    }
}
