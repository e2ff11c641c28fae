// Times Linli's face matching on single probes, for scripts/face_benchmark.py, which runs faiss on the
// same vectors in the same run. Usage: FaceBench gallery.f32 probes.f32 dim  → one JSON line.
import Foundation
import LinliCore

func read(_ path: String, _ dimension: Int) -> [[Float]] {
    let data = FileManager.default.contents(atPath: path) ?? Data()
    let floats = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    return stride(from: 0, to: floats.count, by: dimension).map { Array(floats[$0..<$0 + dimension]) }
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let dimension = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: FaceBench gallery.f32 probes.f32 dim\n".utf8))
    exit(2)
}
// LINLI_FACE_KERNEL=scalar|avx2 times the portable paths on a CPU that has more.
switch ProcessInfo.processInfo.environment["LINLI_FACE_KERNEL"] {
case "scalar": FaceGallery<Int32>.useKernel(0)
case "avx2": FaceGallery<Int32>.useKernel(1)
default: break
}
let gallery = read(arguments[1], dimension)
let probes = read(arguments[2], dimension)
let index = try FaceGallery<Int32>(model: "bench", dimension: dimension)
let enrolStart = DispatchTime.now().uptimeNanoseconds
for (i, vector) in gallery.enumerated() { try index.upsert(Int32(i), vector) }
let enrolSeconds = Double(DispatchTime.now().uptimeNanoseconds - enrolStart) / 1e9
for probe in probes.prefix(20) { _ = try index.best(probe) }  // warm up
var times: [Double] = []
var top: [Int32] = []
for probe in probes {
    let start = DispatchTime.now().uptimeNanoseconds
    let match = try index.best(probe)
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    top.append(match?.key ?? -1)
}
let sorted = times.sorted()
func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
let result: [String: Any] = [
    "kernel": FaceGallery<Int32>.kernel, "gallery": gallery.count, "probes": probes.count,
    "p50_ms": percentile(0.5), "p99_ms": percentile(0.99), "enrol_per_s": Double(gallery.count) / enrolSeconds,
    "top1": top.map { Int($0) },
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result), as: UTF8.self))
