import NIOConcurrencyHelpers
import Vapor

/// A tile of the resident's home page, added by the feature whose page it opens: shown in `order`
/// (access 10, property 20–40, security 50, care 60, events 65, ask 67, applications 68, courses 69, meters 70–80, wallet 90, staff tiles 100–110),
/// labelled by the string `label` (`home.<name>` unless told), with the id `to-<name>`; a `staffOnly` tile
/// shows to staff only.
struct HomeTile: Sendable {
    let name: String
    let order: Int
    let label: String
    let path: String
    let staffOnly: Bool
}

/// The home page's tiles, from every feature.
final class HomeTiles: Sendable {
    private let tiles = NIOLockedValueBox([HomeTile]())

    func add(_ name: String, order: Int, label: String? = nil, staffOnly: Bool = false, _ route: some PageRoute) {
        let tile = HomeTile(name: name, order: order, label: label ?? "home.\(name)", path: route.path, staffOnly: staffOnly)
        tiles.withLockedValue { $0.append(tile) }
    }

    var all: [HomeTile] { tiles.withLockedValue { $0 }.sorted { $0.order < $1.order } }
}

extension Application {
    private struct HomeTilesKey: StorageKey { typealias Value = HomeTiles }

    /// The home page's tiles (see ``HomeTiles``).
    var homeTiles: HomeTiles {
        if let tiles = storage[HomeTilesKey.self] { return tiles }
        let tiles = HomeTiles()
        storage[HomeTilesKey.self] = tiles
        return tiles
    }
}
