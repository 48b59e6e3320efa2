/*
 * A fake libnvidia-ml.so.1 for the binding's tests: two GPUs with known numbers, steered by the
 * exported fake_* functions, which the tests call through FFM.
 *
 * Built twice by the tests:
 *   gcc -shared -fPIC -o libnvidia-ml.so.1 fake_nvml.c                 (a current driver)
 *   gcc -shared -fPIC -DFAKE_LEGACY -o libnvidia-ml.so.1 fake_nvml.c   (no _v2 symbols, no
 *                                                                       nvmlDeviceGetTemperatureV)
 *
 * Like the real library it counts nvmlInit against nvmlShutdown, answers UNINITIALIZED before
 * init, and checks the version word of versioned structs.
 *
 * A test in another process steers free memory through a file instead: when FAKE_NVML_FREE_FILE
 * names one, every device call first reads the free bytes of GPU 0 and GPU 1 from it (two numbers).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef int nvmlReturn_t;

enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
};

typedef struct {
  char name[96];
  char uuid[96];
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned int util_gpu;
  unsigned int util_memory;
  int temperature;
} fake_device;

typedef fake_device *nvmlDevice_t;

typedef struct {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;

typedef struct {
  unsigned int version;
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_v2_t;

typedef struct {
  unsigned int gpu;
  unsigned int memory;
} nvmlUtilization_t;

typedef struct {
  unsigned int version;
  unsigned int sensorType;
  int temperature;
} nvmlTemperature_v1_t;

#define MEMORY_V2_VERSION ((unsigned int)(sizeof(nvmlMemory_v2_t) | 2u << 24))
#define TEMPERATURE_V1_VERSION ((unsigned int)(sizeof(nvmlTemperature_v1_t) | 1u << 24))

_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t is 40 bytes");
_Static_assert(MEMORY_V2_VERSION == 0x02000028u, "nvmlMemory_v2 version");
_Static_assert(TEMPERATURE_V1_VERSION == 0x0100000Cu, "nvmlTemperature_v1 version");

#define GIB (1024ull * 1024ull * 1024ull)
#define MIB (1024ull * 1024ull)
#define MAX_THREADS 16

static fake_device devices[2];
static unsigned int device_count;
static int init_result;
static int utilization_result;
static int temperature_result;
static int memory_v2_result;
static int init_depth;
static int init_calls;
static int shutdown_calls;
static long memory_calls;
static pid_t threads[MAX_THREADS];
static int thread_count;

static void note_thread(void) {
  pid_t self = (pid_t)syscall(SYS_gettid);
  for (int i = 0; i < thread_count; i++) {
    if (threads[i] == self) {
      return;
    }
  }
  if (thread_count < MAX_THREADS) {
    threads[thread_count++] = self;
  }
}

static void free_from_file(void) {
  const char *path = getenv("FAKE_NVML_FREE_FILE");
  if (path == NULL) {
    return;
  }
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    return;
  }
  unsigned long long free0, free1;
  if (fscanf(file, "%llu %llu", &free0, &free1) == 2) {
    devices[0].free = free0;
    devices[1].free = free1;
  }
  fclose(file);
}

static nvmlReturn_t check_device(nvmlDevice_t device) {
  note_thread();
  if (init_depth == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  free_from_file();
  if (device != &devices[0] && device != &devices[1]) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if ((unsigned int)(device - devices) >= device_count) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  return NVML_SUCCESS;
}

static nvmlReturn_t copy_text(const char *text, char *out, unsigned int length) {
  if (out == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (strlen(text) + 1 > length) {
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  strcpy(out, text);
  return NVML_SUCCESS;
}

/* ---- steering, for the tests ---- */

void fake_reset(void) {
  memset(devices, 0, sizeof devices);
  strcpy(devices[0].name, "Fake GPU 24GB");
  strcpy(devices[0].uuid, "GPU-00000000-1111-2222-3333-444444444444");
  devices[0].total = 24 * GIB;
  devices[0].reserved = 512 * MIB;
  devices[0].free = 20 * GIB;
  devices[0].util_gpu = 37;
  devices[0].util_memory = 12;
  devices[0].temperature = 61;
  strcpy(devices[1].name, "Fake \"Quoted\" GPU 8GB");
  strcpy(devices[1].uuid, "GPU-55555555-6666-7777-8888-999999999999");
  devices[1].total = 8 * GIB;
  devices[1].reserved = 256 * MIB;
  devices[1].free = 6 * GIB;
  devices[1].util_gpu = 5;
  devices[1].util_memory = 1;
  devices[1].temperature = 45;
  device_count = 2;
  init_result = NVML_SUCCESS;
  utilization_result = NVML_SUCCESS;
  temperature_result = NVML_SUCCESS;
  memory_v2_result = NVML_SUCCESS;
  init_depth = 0;
  init_calls = 0;
  shutdown_calls = 0;
  memory_calls = 0;
  thread_count = 0;
}

/* Every load starts from the two GPUs. */
__attribute__((constructor)) static void fake_load(void) { fake_reset(); }

void fake_set_init_result(int result) { init_result = result; }
void fake_set_utilization_result(int result) { utilization_result = result; }
void fake_set_temperature_result(int result) { temperature_result = result; }
void fake_set_memory_v2_result(int result) { memory_v2_result = result; }
void fake_set_free(unsigned int index, unsigned long long free) { devices[index].free = free; }
int fake_init_calls(void) { return init_calls; }
int fake_shutdown_calls(void) { return shutdown_calls; }
int fake_init_depth(void) { return init_depth; }
int fake_thread_count(void) { return thread_count; }
long fake_memory_calls(void) { return memory_calls; }

/* ---- NVML ---- */

nvmlReturn_t nvmlInit(void) {
  note_thread();
  init_calls++;
  if (init_result != NVML_SUCCESS) {
    return init_result;
  }
  init_depth++;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
  note_thread();
  shutdown_calls++;
  if (init_depth == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  init_depth--;
  return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  note_thread();
  if (init_depth == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  return copy_text("550.54.15", version, length);
}

nvmlReturn_t nvmlDeviceGetCount(unsigned int *count) {
  note_thread();
  if (init_depth == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  if (count == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *count = device_count;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t *device) {
  note_thread();
  if (init_depth == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  if (index >= device_count || device == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *device = &devices[index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  nvmlReturn_t status = check_device(device);
  return status != NVML_SUCCESS ? status : copy_text(device->name, name, length);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  nvmlReturn_t status = check_device(device);
  return status != NVML_SUCCESS ? status : copy_text(device->uuid, uuid, length);
}

/* v1 counts the driver's reserved memory as used. */
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  nvmlReturn_t status = check_device(device);
  if (status != NVML_SUCCESS) {
    return status;
  }
  if (memory == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  memory_calls++;
  memory->total = device->total;
  memory->free = device->free;
  memory->used = device->total - device->free;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
  nvmlReturn_t status = check_device(device);
  if (status != NVML_SUCCESS) {
    return status;
  }
  if (utilization_result != NVML_SUCCESS) {
    return utilization_result;
  }
  utilization->gpu = device->util_gpu;
  utilization->memory = device->util_memory;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temperature) {
  nvmlReturn_t status = check_device(device);
  if (status != NVML_SUCCESS) {
    return status;
  }
  if (sensor != 0 || temperature == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (temperature_result != NVML_SUCCESS) {
    return temperature_result;
  }
  *temperature = (unsigned int)device->temperature;
  return NVML_SUCCESS;
}

#ifndef FAKE_LEGACY

nvmlReturn_t nvmlInit_v2(void) { return nvmlInit(); }

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) { return nvmlDeviceGetCount(count); }

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  return nvmlDeviceGetHandleByIndex(index, device);
}

/* v2 reports reserved memory apart: used = total - reserved - free. */
nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
  nvmlReturn_t status = check_device(device);
  if (status != NVML_SUCCESS) {
    return status;
  }
  if (memory == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (memory->version != MEMORY_V2_VERSION) {
    return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  }
  if (memory_v2_result != NVML_SUCCESS) {
    return memory_v2_result;
  }
  memory_calls++;
  memory->total = device->total;
  memory->reserved = device->reserved;
  memory->free = device->free;
  memory->used = device->total - device->reserved - device->free;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperatureV(nvmlDevice_t device, nvmlTemperature_v1_t *temperature) {
  nvmlReturn_t status = check_device(device);
  if (status != NVML_SUCCESS) {
    return status;
  }
  if (temperature == NULL || temperature->sensorType != 0) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (temperature->version != TEMPERATURE_V1_VERSION) {
    return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  }
  if (temperature_result != NVML_SUCCESS) {
    return temperature_result;
  }
  /* One degree apart from the classic call, so a test can tell which answered. */
  temperature->temperature = device->temperature + 1;
  return NVML_SUCCESS;
}

#endif
