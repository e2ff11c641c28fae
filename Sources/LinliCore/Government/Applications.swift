import Foundation

/// Residents' applications (办事) to the community office: the built-in kinds with their materials, and
/// the steps each kind goes through — for 最低生活保障 the 2021 审核确认办法's: acceptance (or telling
/// everything missing at once, 一次性告知), a home visit by two workers, review, seven days of publicity,
/// the decision, and a refusal told in writing. Which step may follow which is decided here.
public enum Applications {
    public struct Kind: Sendable, Equatable {
        public let code: String
        public let materials: [String]
        /// Whether the kind has a household investigation, review and publicity (低保).
        public let investigated: Bool
        /// Whether help may be given before the materials (临时救助: 先行救助).
        public let helpFirst: Bool
        /// Months between the periodic re-checks of an approved application (低保: yearly, or half-yearly
        /// for some categories); nil when it has none.
        public let recheckMonths: Int?
        /// The name an operator gave a kind of their own; nil for the built-in ones (named by the strings).
        public let name: String?

        public init(code: String, materials: [String], investigated: Bool, helpFirst: Bool, recheckMonths: Int? = nil, name: String? = nil) {
            self.code = code
            self.materials = materials
            self.investigated = investigated
            self.helpFirst = helpFirst
            self.recheckMonths = recheckMonths
            self.name = name
        }

        /// What may be uploaded for it: its materials, and anything else as `other`.
        public func accepts(material: String) -> Bool { material == "other" || materials.contains(material) }
    }

    public static let kinds: [Kind] = [
        Kind(code: "dibao", materials: ["id_card", "hukou", "income_proof", "property_declaration", "authorization"], investigated: true, helpFirst: false, recheckMonths: 12),
        Kind(code: "temporary_relief", materials: ["id_card", "hardship_proof"], investigated: false, helpFirst: true),
        Kind(code: "elderly_allowance", materials: ["id_card", "hukou"], investigated: false, helpFirst: false),
        Kind(code: "residence_certificate", materials: ["id_card"], investigated: false, helpFirst: false),
    ]

    public static func kind(_ code: String) -> Kind? { kinds.first { $0.code == code } }

    /// Where an application stands.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case received, incomplete, accepted, investigated, reviewed, publicized, approved, refused, withdrawn
        public var isOpen: Bool { ![.approved, .refused, .withdrawn].contains(self) }
    }

    /// What a worker records.
    public enum Step: String, Sendable, Codable, CaseIterable {
        /// Materials incomplete: everything missing, told at once.
        case incomplete
        case accept
        /// 先行救助: help given before the materials are complete (temporary relief).
        case helpFirst = "help_first"
        /// The household investigation: a home visit by two workers.
        case investigate
        case review
        /// Publicity starts (seven days on the notice board, the app and the TV).
        case publicize
        case approve
        case refuse
        /// The written refusal handed over (within three working days of the decision).
        case notify
        case withdraw
        /// The periodic re-check of an approved application (低保): it stays approved until the next one.
        case recheck
    }

    public enum Refusal: String, Error, Sendable, Equatable {
        /// This step does not follow the application's current one.
        case wrongStep = "wrong_step"
        /// The step does not belong to the kind.
        case notForKind = "not_for_kind"
        /// Publicity must run its seven days before the decision.
        case publicityRunning = "publicity_running"
    }

    /// The status after `step`, or why it cannot be taken. `publicityEnded` says whether the seven days
    /// have passed (a decision on 低保 waits for them).
    public static func next(_ status: Status, _ step: Step, kind: Kind, publicityEnded: Bool, refusalNotified: Bool) -> Result<Status, Refusal> {
        switch (step, status) {
        case (.withdraw, let s) where s.isOpen: return .success(.withdrawn)
        case (.incomplete, .received), (.incomplete, .incomplete): return .success(.incomplete)
        case (.accept, .received), (.accept, .incomplete): return .success(.accepted)
        case (.helpFirst, let s) where s.isOpen:
            return kind.helpFirst ? .success(s) : .failure(.notForKind)
        case (.investigate, .accepted):
            return kind.investigated ? .success(.investigated) : .failure(.notForKind)
        case (.review, .investigated): return .success(.reviewed)
        case (.publicize, .reviewed): return .success(.publicized)
        case (.approve, .publicized), (.refuse, .publicized):
            guard publicityEnded else { return .failure(.publicityRunning) }
            return .success(step == .approve ? .approved : .refused)
        case (.approve, .accepted), (.refuse, .accepted):
            guard !kind.investigated else { return .failure(.wrongStep) }
            return .success(step == .approve ? .approved : .refused)
        case (.refuse, .investigated), (.refuse, .reviewed):
            // Found ineligible on the visit or the review: refused without publicity.
            return .success(.refused)
        case (.notify, .refused):
            return refusalNotified ? .failure(.wrongStep) : .success(.refused)
        case (.recheck, .approved):
            return kind.recheckMonths == nil ? .failure(.notForKind) : .success(.approved)
        case (.refuse, .approved):
            // A re-check found the household no longer eligible (停保): refused, with the written reasons.
            return kind.recheckMonths == nil ? .failure(.wrongStep) : .success(.refused)
        default: return .failure(.wrongStep)
        }
    }
}
