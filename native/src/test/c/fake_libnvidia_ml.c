/*
 * A stand-in libnvidia-ml.so.1 for the tests of io.vigil.ffi.nvml on hosts without a GPU: the NVML calls vigil
 * makes, with the C signatures of nvml.h, answering for two made-up GPUs with fixed figures. The second GPU has no
 * ECC (NVML_ERROR_NOT_SUPPORTED), as consumer boards do. fake_nvml_fail makes a call return a code until
 * fake_nvml_reset; fake_nvml_counts tells how often init and shutdown ran.
 */
#include <string.h>

typedef int nvmlReturn_t;
typedef struct fake_device { int index; } *nvmlDevice_t;
typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } nvmlMemory_t;

enum { OK = 0, UNINITIALIZED = 1, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, NO_PERMISSION = 4, UNKNOWN = 999 };

static struct fake_device devices[2] = {{0}, {1}};
static int initialised;
static int inits;
static int shutdowns;
static char failing[64];
static int failing_code;

void fake_nvml_fail(const char *function, int code) {
    strncpy(failing, function, sizeof failing - 1);
    failing[sizeof failing - 1] = 0;
    failing_code = code;
}

void fake_nvml_reset(void) {
    failing[0] = 0;
    failing_code = OK;
}

void fake_nvml_counts(int *out) {
    out[0] = inits;
    out[1] = shutdowns;
    out[2] = initialised;
}

/* The code a call returns before doing anything: the injected failure, or UNINITIALIZED before nvmlInit. */
static int gate(const char *function, int needs_init) {
    if (failing[0] && strcmp(failing, function) == 0) {
        return failing_code;
    }
    return needs_init && initialised == 0 ? UNINITIALIZED : OK;
}

static int device_ok(nvmlDevice_t d) {
    return d == &devices[0] || d == &devices[1];
}

nvmlReturn_t nvmlInit_v2(void) {
    int rc = gate("nvmlInit_v2", 0);
    if (rc == OK) {
        initialised++;
        inits++;
    }
    return rc;
}

nvmlReturn_t nvmlShutdown(void) {
    int rc = gate("nvmlShutdown", 1);
    if (rc == OK) {
        initialised--;
        shutdowns++;
    }
    return rc;
}

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
        case OK: return "Success";
        case UNINITIALIZED: return "Uninitialized";
        case INVALID_ARGUMENT: return "Invalid Argument";
        case NOT_SUPPORTED: return "Not Supported";
        case NO_PERMISSION: return "Insufficient Permissions";
        case 9: return "Driver Not Loaded";
        default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    int rc = gate("nvmlSystemGetDriverVersion", 1);
    if (rc == OK) {
        strncpy(version, "999.01.02", length);
    }
    return rc;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    int rc = gate("nvmlDeviceGetCount_v2", 1);
    if (rc == OK) {
        *count = 2;
    }
    return rc;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    int rc = gate("nvmlDeviceGetHandleByIndex_v2", 1);
    if (rc != OK) {
        return rc;
    }
    if (index > 1) {
        return INVALID_ARGUMENT;
    }
    *device = &devices[index];
    return OK;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    int rc = gate("nvmlDeviceGetName", 1);
    if (rc != OK) {
        return rc;
    }
    if (!device_ok(device)) {
        return INVALID_ARGUMENT;
    }
    strncpy(name, device->index == 0 ? "Fake H100 80GB HBM3" : "Fake L4", length);
    return OK;
}

nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t device, unsigned int *utilization, unsigned int *period) {
    int rc = gate("nvmlDeviceGetDecoderUtilization", 1);
    if (rc != OK) {
        return rc;
    }
    if (!device_ok(device)) {
        return INVALID_ARGUMENT;
    }
    *utilization = device->index == 0 ? 43 : 5;
    *period = 167000;
    return OK;
}

nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t device, unsigned int *utilization, unsigned int *period) {
    int rc = gate("nvmlDeviceGetEncoderUtilization", 1);
    if (rc != OK) {
        return rc;
    }
    *utilization = device->index == 0 ? 2 : 0;
    *period = 167000;
    return OK;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *rates) {
    int rc = gate("nvmlDeviceGetUtilizationRates", 1);
    if (rc != OK) {
        return rc;
    }
    rates->gpu = device->index == 0 ? 71 : 9;
    rates->memory = device->index == 0 ? 12 : 1;
    return OK;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    int rc = gate("nvmlDeviceGetMemoryInfo", 1);
    if (rc != OK) {
        return rc;
    }
    memory->total = device->index == 0 ? 85899345920ULL : 24152899584ULL;
    memory->used = device->index == 0 ? 1610612736ULL : 268435456ULL;
    memory->free = memory->total - memory->used;
    return OK;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temperature) {
    int rc = gate("nvmlDeviceGetTemperature", 1);
    if (rc != OK) {
        return rc;
    }
    if (sensor != 0) {
        return INVALID_ARGUMENT;
    }
    *temperature = device->index == 0 ? 54 : 41;
    return OK;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *milliwatts) {
    int rc = gate("nvmlDeviceGetPowerUsage", 1);
    if (rc != OK) {
        return rc;
    }
    *milliwatts = device->index == 0 ? 212500 : 31000;
    return OK;
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *milliwatts) {
    int rc = gate("nvmlDeviceGetEnforcedPowerLimit", 1);
    if (rc != OK) {
        return rc;
    }
    *milliwatts = device->index == 0 ? 700000 : 72000;
    return OK;
}

nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, unsigned long long *reasons) {
    int rc = gate("nvmlDeviceGetCurrentClocksEventReasons", 1);
    if (rc != OK) {
        return rc;
    }
    *reasons = device->index == 0 ? 0x4ULL | 0x40ULL : 0x1ULL;
    return OK;
}

nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t device, int type, int counter, unsigned long long *count) {
    int rc = gate("nvmlDeviceGetTotalEccErrors", 1);
    if (rc != OK) {
        return rc;
    }
    if (device->index == 1) {
        return NOT_SUPPORTED;
    }
    if (counter != 0) {
        return INVALID_ARGUMENT;
    }
    *count = type == 0 ? 3 : 0;
    return OK;
}
