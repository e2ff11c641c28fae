import Crypto
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The HTML of pages already rendered, by template and context. Rendering is a pure function of the
/// template and everything the page shows — the layout (language, display modes, the session's CSRF
/// token, the flash, the banners) and the page's own context — so a page whose inputs are the same
/// bytes is the same page, and is not rendered again: a resident's home page, the console's first page,
/// any page read twice unchanged costs an encoding of its context and a lookup instead of Leaf's
/// rendering (about a third of a page's time). Not a cache of data: nothing is kept that a change could
/// make stale, so nothing needs dropping; the key is the SHA-256 of the inputs. At most ``limit``
/// pages are kept; when full, the oldest half goes.
final class RenderedPages: Sendable {
    static let limit = 2_000

    private struct State {
        var pages: [SHA256Digest: (html: ByteBuffer, order: Int)] = [:]
        var next = 0
    }

    private let state = NIOLockedValueBox(State())
    /// Off while templates are read from disk on every request (`LINLI_TEMPLATES_LIVE=1`).
    let isOn: Bool

    init(isOn: Bool) { self.isOn = isOn }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    /// The key of a template with its layout and context: the layout by its fingerprint, a kept context
    /// by the version it was loaded as, any other context by its JSON.
    static func key(_ template: String, _ layout: Layout, _ context: some Encodable) throws -> SHA256Digest {
        var hash = SHA256()
        hash.update(data: Data(template.utf8))
        hash.update(data: [0])
        hash.update(data: Data(layout.fingerprint.utf8))
        hash.update(data: [0])
        if let kept = context as? any KeptContext {
            hash.update(data: Data(kept.version.uuidString.utf8))
        } else {
            hash.update(data: try encoder.encode(context))
        }
        return hash.finalize()
    }

    func html(_ key: SHA256Digest) -> ByteBuffer? {
        state.withLockedValue { $0.pages[key]?.html }
    }

    func keep(_ html: ByteBuffer, for key: SHA256Digest) {
        state.withLockedValue { state in
            if state.pages.count >= Self.limit {
                let cut = state.next - Self.limit / 2
                state.pages = state.pages.filter { $0.value.order >= cut }
            }
            state.pages[key] = (html, state.next)
            state.next += 1
        }
    }

    var count: Int { state.withLockedValue { $0.pages.count } }
}

/// A page's context kept between requests (in a ``ReadCache``): `version` is new each time it is loaded,
/// so its rendered page is found by the version instead of by encoding the whole context again.
protocol KeptContext: Encodable, Sendable {
    var version: UUID { get }
}

extension Layout {
    /// Everything of the layout a page shows, each part length-prefixed so no two layouts share one. The
    /// links are left out: they are the application's, the same for every page.
    var fingerprint: String {
        var parts: [String] = [
            title, lang, otherLang, "\(elder)", "\(contrast)", "\(textSize)", csrf, path, userName ?? "\u{0}",
            flash ?? "\u{0}", "\(flashIsError)",
        ]
        for link in nav + [Link(href: "|", label: "|", current: false)] + emergencies {
            parts += [link.href, link.label, "\(link.current)"]
        }
        return parts.map { "\($0.utf8.count):\($0)" }.joined()
    }
}

extension Application {
    private struct RenderedPagesKey: StorageKey { typealias Value = RenderedPages }

    /// The pages already rendered (see ``RenderedPages``); made at start.
    var renderedPages: RenderedPages {
        get { storage[RenderedPagesKey.self] ?? RenderedPages(isOn: false) }
        set { storage[RenderedPagesKey.self] = newValue }
    }
}
