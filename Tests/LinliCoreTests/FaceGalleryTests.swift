import Foundation
import Testing

@testable import LinliCore

@Suite(.serialized) struct FaceGalleryTests {
    static func randomVector(_ dimension: Int, _ rng: inout SeededRandom) -> [Float] {
        (0..<dimension).map { _ in Float(rng.noise(1)) }
    }

    /// A gallery of `count` faces and probes that are noisy views of some of them, or strangers.
    static func world(count: Int, dimension: Int, seed: UInt64) throws -> (FaceGallery<Int>, [[Float]], [[Float]]) {
        var rng = SeededRandom(seed: seed)
        let gallery = try FaceGallery<Int>(model: "arcface-r100", dimension: dimension)
        var enrolled: [[Float]] = []
        for i in 0..<count {
            let vector = randomVector(dimension, &rng)
            enrolled.append(vector)
            try gallery.upsert(i, vector)
        }
        var probes: [[Float]] = []
        for i in 0..<120 {
            let base = i % 4 == 3 ? randomVector(dimension, &rng) : enrolled[(i * 7919) % count]
            probes.append(base.map { $0 + Float(rng.noise(0.6)) })
        }
        return (gallery, enrolled, probes)
    }

    @Test func topOneEqualsTheExactSearchOnEveryProbeWithEveryKernel() throws {
        let (gallery, _, probes) = try Self.world(count: 2_000, dimension: 512, seed: 7)
        defer { FaceGallery<Int>.useKernel(2) }
        var answers: [[Int]] = []
        for kernel in Int32(0)...2 {
            FaceGallery<Int>.useKernel(kernel)
            var keys: [Int] = []
            for probe in probes {
                let fast = try #require(try gallery.best(probe))
                let exact = try #require(try gallery.exactBest(probe))
                #expect(fast.key == exact.key)
                #expect(abs(fast.score - exact.score) < 1e-9)
                keys.append(fast.key)
            }
            answers.append(keys)
        }
        #expect(answers[0] == answers[1] && answers[1] == answers[2])
    }

    @Test func enrolmentReplacementAndWithdrawalUpdateInPlace() throws {
        let (gallery, enrolled, _) = try Self.world(count: 50, dimension: 128, seed: 11)
        #expect(try gallery.best(enrolled[10])?.key == 10)
        #expect(try gallery.best(enrolled[10])!.score > 0.999_999)
        // Withdrawal: the face is gone, the last row moved into its place and still matches.
        #expect(gallery.remove(10))
        #expect(!gallery.remove(10))
        #expect(gallery.count == 49 && !gallery.contains(10))
        #expect(try gallery.best(enrolled[10])?.key != 10)
        #expect(try gallery.best(enrolled[49])?.key == 49)
        // Re-enrolment replaces the vector of the same key.
        try gallery.upsert(3, enrolled[20])
        #expect(gallery.count == 49)
        #expect(try gallery.best(enrolled[20])!.score > 0.999_999)
        #expect(try gallery.best(enrolled[3])?.key != 3)
        for key in gallery.keys { gallery.remove(key) }
        #expect(try gallery.best(enrolled[0]) == nil)
    }

    @Test func refusesWrongDimensionsAndNonFiniteValues() throws {
        #expect(throws: FaceVectorError.wrongDimension(expected: nil, got: 64)) {
            try FaceGallery<Int>(model: "m", dimension: 64)
        }
        let gallery = try FaceGallery<Int>(model: "m", dimension: 128)
        #expect(throws: FaceVectorError.wrongDimension(expected: 128, got: 512)) {
            try gallery.upsert(1, [Float](repeating: 0.1, count: 512))
        }
        var bad = [Float](repeating: 0.1, count: 128)
        bad[5] = .nan
        #expect(throws: FaceVectorError.notFinite) { try gallery.upsert(1, bad) }
        #expect(throws: FaceVectorError.notFinite) { try gallery.best([Float](repeating: 0, count: 128)) }
        #expect(gallery.count == 0)
    }
}
