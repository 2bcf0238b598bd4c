using System.Text;
using Pmem;
using Pmem.Demo;

// Maps a file as persistent memory, appends a record durably, and reads back what earlier runs left.
string path = args.Length > 0 ? args[0] : Path.Combine("/dev/shm", "pmem-demo.pool");
const int Size = 1 << 20;
bool fresh = !File.Exists(path);
using PmemRegion region = fresh
    ? PmemRegion.Create(path, Size, new PmemMapOptions { AllowEmulatedPmem = true })
    : PmemRegion.Open(path, new PmemMapOptions { AllowEmulatedPmem = true });

Console.WriteLine($"CPU:     {PmemCpu.Describe()}");
Console.WriteLine($"Mapping: {region}");

// Layout: an 8-byte used length at offset 0, then records.
ref ulong used = ref region.AsRef<ulong>(0);
ulong start = used == 0 ? 8 : used;
byte[] record = Encoding.UTF8.GetBytes($"run at {DateTime.UtcNow:O}\n");
if (start + (ulong)record.Length > Size)
{
    start = 8;
}

Span<byte> destination = region.Slice((long)start, record.Length);
Persist.PmemMemcpy(destination, record);
Persist.PmemFlush(destination);
Persist.PmemCommit();
Persist.PmemAssign(ref used, start + (ulong)record.Length);
Persist.PmemFlush(region.Slice(0, sizeof(ulong)));
Persist.PmemCommit();

Console.WriteLine($"Persisted {record.Length} bytes at offset {start}; the log now holds:");
Console.Write(Encoding.UTF8.GetString(region.Slice(8, (int)used - 8)));
