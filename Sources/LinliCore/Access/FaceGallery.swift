import CLinliFace
import Foundation

/// Why a face vector was not accepted.
public enum FaceVectorError: Error, Equatable, Sendable {
    /// Not 128…1024 values, or not the gallery's dimension.
    case wrongDimension(expected: Int?, got: Int)
    /// NaN, infinity, or all zeros.
    case notFinite
}

/// The best match of a probe.
public struct FaceMatch<Key: Hashable & Sendable>: Sendable, Equatable {
    public let key: Key
    /// Cosine similarity, exact (float vectors, double accumulation).
    public let score: Double
}

/// One community's enrolled faces for one model, in memory: L2-normalised float vectors in one
/// contiguous buffer, and beside them an int8 copy (scaled per vector) that the first pass scans with
/// SIMD (AVX-512 VNNI or AVX2 when the CPU has them, portable C otherwise). The best `candidates` rows
/// of that pass are re-ranked exactly, so the answer is the exact float top-1 whenever it is among them.
/// Enrolment and withdrawal update the buffers in place (removal moves the last row into the gap).
/// Not thread-safe: the caller serialises writes against reads.
public final class FaceGallery<Key: Hashable & Sendable>: @unchecked Sendable {
    public static var dimensions: ClosedRange<Int> { 128...1024 }

    public let model: String
    public let dimension: Int
    /// Bytes per int8 code: the dimension rounded up to 64.
    let stride: Int
    private(set) public var keys: [Key] = []
    private var rowOf: [Key: Int] = [:]
    private var vectors: [Float] = []
    /// The int8 codes offset by 128 (value XOR 0x80), as the scan kernels take them.
    private var codes: [UInt8] = []
    private var inverseScales: [Float] = []

    public init(model: String, dimension: Int) throws {
        guard Self.dimensions.contains(dimension) else {
            throw FaceVectorError.wrongDimension(expected: nil, got: dimension)
        }
        self.model = model
        self.dimension = dimension
        stride = (dimension + 63) / 64 * 64
    }

    public var count: Int { keys.count }

    /// The kernel the first pass uses (`scalar`, `avx2`, `avx512-vnni`).
    public static var kernel: String {
        switch linli_face_kernel() {
        case 2: "avx512-vnni"
        case 1: "avx2"
        default: "scalar"
        }
    }

    /// Checks and normalises a vector of this gallery's model.
    public func normalised(_ vector: [Float]) throws -> [Float] {
        guard vector.count == dimension else {
            throw FaceVectorError.wrongDimension(expected: dimension, got: vector.count)
        }
        var sum = 0.0
        for value in vector {
            guard value.isFinite else { throw FaceVectorError.notFinite }
            sum += Double(value) * Double(value)
        }
        guard sum > 0, sum.isFinite else { throw FaceVectorError.notFinite }
        let inverse = 1 / sum.squareRoot()
        return vector.map { Float(Double($0) * inverse) }
    }

    /// The int8 code of a normalised vector and the factor that turns code products back into cosines.
    func code(_ unit: [Float]) -> (code: [Int8], scale: Float) {
        var largest: Float = 0
        for value in unit { largest = max(largest, abs(value)) }
        let scale = largest > 0 ? 127 / largest : 1
        var code = [Int8](repeating: 0, count: stride)
        for i in 0..<unit.count { code[i] = Int8((unit[i] * scale).rounded()) }
        return (code, scale)
    }

    /// Adds a vector under `key`, or replaces the one it had.
    public func upsert(_ key: Key, _ vector: [Float]) throws {
        let unit = try normalised(vector)
        let (signed, scale) = code(unit)
        let code = signed.map { UInt8(bitPattern: $0) ^ 0x80 }
        if let row = rowOf[key] {
            vectors.replaceSubrange(row * dimension..<(row + 1) * dimension, with: unit)
            codes.replaceSubrange(row * stride..<(row + 1) * stride, with: code)
            inverseScales[row] = 1 / scale
            return
        }
        rowOf[key] = keys.count
        keys.append(key)
        vectors.append(contentsOf: unit)
        codes.append(contentsOf: code)
        inverseScales.append(1 / scale)
    }

    /// Removes the vector of `key` (the last row moves into its place).
    @discardableResult
    public func remove(_ key: Key) -> Bool {
        guard let row = rowOf.removeValue(forKey: key) else { return false }
        let last = keys.count - 1
        if row != last {
            let moved = keys[last]
            keys[row] = moved
            rowOf[moved] = row
            for i in 0..<dimension { vectors[row * dimension + i] = vectors[last * dimension + i] }
            for i in 0..<stride { codes[row * stride + i] = codes[last * stride + i] }
            inverseScales[row] = inverseScales[last]
        }
        keys.removeLast()
        vectors.removeLast(dimension)
        codes.removeLast(stride)
        inverseScales.removeLast()
        return true
    }

    public func contains(_ key: Key) -> Bool { rowOf[key] != nil }

    /// The best match of a probe (nil when the gallery is empty). `candidates` rows of the int8 pass are
    /// re-ranked exactly.
    public func best(_ probe: [Float], candidates: Int = 32) throws -> FaceMatch<Key>? {
        let unit = try normalised(probe)
        guard !keys.isEmpty else { return nil }
        let (query, _) = code(unit)
        let k = min(max(1, candidates), keys.count)
        var rows = [Int32](repeating: 0, count: k)
        var scores = [Float](repeating: 0, count: k)
        let kept = query.withUnsafeBufferPointer { q in
            codes.withUnsafeBufferPointer { c in
                inverseScales.withUnsafeBufferPointer { s in
                    linli_face_top_k(q.baseAddress, c.baseAddress, s.baseAddress, keys.count, stride, k, &rows, &scores)
                }
            }
        }
        var best: (row: Int, score: Double)?
        vectors.withUnsafeBufferPointer { all in
            unit.withUnsafeBufferPointer { probe in
                for i in 0..<kept {
                    let row = Int(rows[i])
                    let sum = Self.exactDot(
                        probe, UnsafeBufferPointer(rebasing: all[row * dimension..<(row + 1) * dimension]))
                    if best == nil || sum > best!.score || (sum == best!.score && row < best!.row) { best = (row, sum) }
                }
            }
        }
        return best.map { FaceMatch(key: keys[$0.row], score: $0.score) }
    }

    /// The inner product in double precision, in four interleaved sums (independent chains the CPU can
    /// overlap); a dimension that is not a multiple of 4 has its tail added to the first.
    static func exactDot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        let n = a.count
        var d = 0
        while d + 3 < n {
            s0 += Double(a[d]) * Double(b[d])
            s1 += Double(a[d + 1]) * Double(b[d + 1])
            s2 += Double(a[d + 2]) * Double(b[d + 2])
            s3 += Double(a[d + 3]) * Double(b[d + 3])
            d += 4
        }
        while d < n {
            s0 += Double(a[d]) * Double(b[d])
            d += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// The exact best match by a full float scan (the reference the fast path is tested against).
    public func exactBest(_ probe: [Float]) throws -> FaceMatch<Key>? {
        let unit = try normalised(probe)
        var best: (row: Int, score: Double)?
        for row in 0..<keys.count {
            let sum = vectors.withUnsafeBufferPointer { all in
                unit.withUnsafeBufferPointer {
                    Self.exactDot($0, UnsafeBufferPointer(rebasing: all[row * dimension..<(row + 1) * dimension]))
                }
            }
            if best == nil || sum > best!.score { best = (row, sum) }
        }
        return best.map { FaceMatch(key: keys[$0.row], score: $0.score) }
    }

    /// Uses another first-pass kernel (0 scalar, 1 AVX2, 2 AVX-512 VNNI) if the CPU has it; for tests.
    @discardableResult
    public static func useKernel(_ kernel: Int32) -> Int32 { linli_face_use_kernel(kernel) }
}
