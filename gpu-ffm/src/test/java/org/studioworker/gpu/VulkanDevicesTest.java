package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Vulkan device list against the fake libvulkan.so.1, loaded by explicit path. */
final class VulkanDevicesTest {
  // The two GPUs of fake_nvml.c, in NVML's order.
  private static final String NVML_GPU_0 = "GPU-00000000-1111-2222-3333-444444444444";
  private static final String NVML_GPU_1 = "GPU-55555555-6666-7777-8888-999999999999";

  @TempDir static Path dir;

  private static FakeVulkan fake;

  @BeforeAll
  static void compileFake() throws Exception {
    Assumptions.assumeTrue(FakeNvml.gccAvailable(), FakeNvml.NO_GCC);
    fake = FakeVulkan.build(dir.resolve("vulkan"));
  }

  @AfterAll
  static void closeFake() {
    if (fake != null) {
      fake.close();
    }
  }

  @BeforeEach
  void resetFake() {
    fake.reset();
  }

  private static VulkanDevices read() {
    return VulkanDevices.read(
        new VulkanSettings(fake.library(), VulkanSettings.LIBRARY_ENV, VulkanSettings.LOADER_NAME));
  }

  @Test
  void javaLayoutsMatchTheSizesTheCompilerGivesTheVulkanStructs() {
    assertThat(VulkanStructs.LIMITS.byteSize())
        .isEqualTo(fake.layout("sizeof_limits"))
        .isEqualTo(504);
    assertThat(VulkanStructs.SPARSE_PROPERTIES.byteSize())
        .isEqualTo(fake.layout("sizeof_sparse_properties"));
    assertThat(VulkanStructs.PROPERTIES.byteSize())
        .isEqualTo(fake.layout("sizeof_properties"))
        .isEqualTo(824);
    assertThat(VulkanStructs.PROPERTIES_2.byteSize())
        .isEqualTo(fake.layout("sizeof_properties2"))
        .isEqualTo(840);
    assertThat(VulkanStructs.ID_PROPERTIES.byteSize())
        .isEqualTo(fake.layout("sizeof_id_properties"))
        .isEqualTo(64);
    assertThat(VulkanStructs.INSTANCE_CREATE_INFO.byteSize())
        .isEqualTo(fake.layout("sizeof_instance_create_info"));
    assertThat(VulkanStructs.APPLICATION_INFO.byteSize())
        .isEqualTo(fake.layout("sizeof_application_info"));
    assertThat(VulkanStructs.offset(VulkanStructs.PROPERTIES, "limits"))
        .isEqualTo(fake.layout("offsetof_limits"));
    assertThat(VulkanStructs.offset(VulkanStructs.PROPERTIES, "sparseProperties"))
        .isEqualTo(fake.layout("offsetof_sparse_properties"));
    assertThat(VulkanStructs.offset(VulkanStructs.ID_PROPERTIES, "deviceUUID"))
        .isEqualTo(fake.layout("offsetof_device_uuid"));
    assertThat(VulkanStructs.offset(VulkanStructs.LIMITS, "minMemoryMapAlignment"))
        .isEqualTo(fake.layout("offsetof_min_memory_map_alignment"));
    assertThat(VulkanStructs.offset(VulkanStructs.LIMITS, "nonCoherentAtomSize"))
        .isEqualTo(fake.layout("offsetof_non_coherent_atom_size"));
  }

  @Test
  void readsDevicesInVulkanOrderWithTheirNvmlStyleUuids() {
    fake.setDevices(
        "NVIDIA B=GPU-55555555-6666-7777-8888-999999999999;"
            + "llvmpipe (LLVM 17.0.6, 256 bits)=6c6c766d-7069-7065-5555-494400000000=10005;"
            + "NVIDIA A=GPU-00000000-1111-2222-3333-444444444444");

    VulkanDevices vulkan = read();

    assertThat(vulkan.reason()).isNull();
    assertThat(vulkan.devices())
        .containsExactly(
            new VulkanDevice(0, "NVIDIA B", VulkanDevice.VENDOR_NVIDIA, NVML_GPU_1),
            new VulkanDevice(
                1,
                "llvmpipe (LLVM 17.0.6, 256 bits)",
                0x10005,
                "GPU-6c6c766d-7069-7065-5555-494400000000"),
            new VulkanDevice(2, "NVIDIA A", VulkanDevice.VENDOR_NVIDIA, NVML_GPU_0));
    assertThat(fake.counter("requested_api_version")).isEqualTo(VulkanStructs.API_VERSION_1_1);
    assertThat(fake.counter("live_instances")).as("the instance is destroyed").isZero();
  }

  @Test
  void mapsNvmlUuidsToVulkanIndicesWhenTheOrdersDiffer() {
    // The fake's default: fake_nvml.c's two GPUs, the other way round.
    VulkanDevices vulkan = read();

    assertThat(vulkan.indexOf(NVML_GPU_0)).isEqualTo(OptionalInt.of(1));
    assertThat(vulkan.indexOf(NVML_GPU_1)).isEqualTo(OptionalInt.of(0));
    assertThat(vulkan.indexOf(NVML_GPU_0.toUpperCase(Locale.ROOT))).isEqualTo(OptionalInt.of(1));
    assertThat(vulkan.indexOf("GPU-ffffffff-1111-2222-3333-444444444444")).isEmpty();
    assertThat(vulkan.indexOf("MIG-00000000-1111-2222-3333-444444444444")).isEmpty();
  }

  @Test
  void aVulkan10DeviceIsListedWithoutUuidAndNeverAskedForProperties2() {
    fake.setDevices("Old GPU=;NVIDIA A=" + NVML_GPU_0);

    VulkanDevices vulkan = read();

    assertThat(vulkan.devices())
        .containsExactly(
            new VulkanDevice(0, "Old GPU", VulkanDevice.VENDOR_NVIDIA, null),
            new VulkanDevice(1, "NVIDIA A", VulkanDevice.VENDOR_NVIDIA, NVML_GPU_0));
    assertThat(fake.counter("properties2_on_1_0")).isZero();
    assertThat(vulkan.indexOf(NVML_GPU_0)).isEqualTo(OptionalInt.of(1));
  }

  @Test
  void countsAgainWhenTheSecondEnumerationIsIncomplete() {
    fake.setFail("incomplete");

    VulkanDevices vulkan = read();

    assertThat(vulkan.reason()).isNull();
    assertThat(vulkan.devices())
        .extracting(VulkanDevice::uuid)
        .containsExactly(NVML_GPU_1, NVML_GPU_0);
    assertThat(fake.counter("enumerate_calls")).isEqualTo(4);
  }

  @Test
  void aFailingCreateGivesItsResultAsTheReason() {
    fake.setFail("create");

    VulkanDevices vulkan = read();

    assertThat(vulkan.devices()).isEmpty();
    assertThat(vulkan.reason()).isEqualTo("vkCreateInstance failed: VK_ERROR_INCOMPATIBLE_DRIVER");
    assertThat(vulkan.indexOf(NVML_GPU_0)).isEmpty();
  }

  @Test
  void aFailingEnumerationStillDestroysTheInstance() {
    fake.setFail("enumerate");

    VulkanDevices vulkan = read();

    assertThat(vulkan.devices()).isEmpty();
    assertThat(vulkan.reason())
        .isEqualTo("vkEnumeratePhysicalDevices failed: VK_ERROR_INITIALIZATION_FAILED");
    assertThat(fake.counter("live_instances")).isZero();
  }

  @Test
  void aMissingLoaderGivesItsNameAsTheReason() {
    VulkanDevices vulkan =
        VulkanDevices.read(
            new VulkanSettings(null, VulkanSettings.LIBRARY_ENV, "libstudio-worker-absent.so.1"));

    assertThat(vulkan.devices()).isEmpty();
    assertThat(vulkan.reason()).isEqualTo("libstudio-worker-absent.so.1 not found");
  }

  @Test
  void aMissingExplicitLibraryNamesTheVariable() {
    Path absent = dir.resolve("nowhere/libvulkan.so.1");

    VulkanDevices vulkan =
        VulkanDevices.read(Map.of(VulkanSettings.LIBRARY_ENV, absent.toString()), new Properties());

    assertThat(vulkan.devices()).isEmpty();
    assertThat(vulkan.reason())
        .startsWith("STUDIO_WORKER_VULKAN_LIB=" + absent + " cannot be used");
  }

  @Test
  void aLibraryThatIsNotAVulkanLoaderIsRefused() throws Exception {
    Path other =
        FakeNvml.compileOther(
            dir.resolve("other"), "libother.so", "int nothing(void) { return 0; }\n");

    VulkanDevices vulkan =
        VulkanDevices.read(new VulkanSettings(other, VulkanSettings.LIBRARY_PROPERTY, "unused"));

    assertThat(vulkan.reason())
        .isEqualTo(
            "studio.worker.vulkan.lib="
                + other
                + " has no vkGetInstanceProcAddr: not a Vulkan loader");
  }

  @Test
  void formatsSixteenBytesAsNvmlDoes() {
    byte[] bytes = new byte[16];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (0xf0 + i);
    }
    assertThat(VulkanReader.nvmlUuid(bytes)).isEqualTo("GPU-f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff");
    assertThat(VulkanReader.nvmlUuid(new byte[16]))
        .isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
  }
}
