// Request bodies captured from real kubectl v1.32 (Content-Type
// application/vnd.kubernetes.protobuf), as hex: each was POSTed by the command in its comment
// to a throwaway HTTPS listener on 127.0.0.1 (see api/protobuf/README.md, "Fixtures and tests").
#pragma once

#include <string_view>

namespace kite::api::testing {

struct KubectlCapture {
  const char* kind;
  const char* command;
  std::string_view hex;
  // What `<command> --dry-run=client -o json` prints for the same object, without the
  // `"creationTimestamp": null` entries (kite omits a zero Time: api/protobuf/README.md).
  const char* json;
};

inline constexpr KubectlCapture kKubectlCaptures[] = {
    {"ConfigMap", R"(kubectl create configmap kite-cm --from-literal=a=b --from-literal=empty=)",
     "6b3873000a0f0a0276311209436f6e6669674d6170122c0a170a076b6974652d636d12001a0022002a003200"
     "3800420012060a016112016212090a05656d70747912001a002200",
     R"({"apiVersion":"v1","data":{"a":"b","empty":""},"kind":"ConfigMap","metadata":{"name":"kite-cm"}})"},
    {"Secret", R"(kubectl create secret generic kite-secret --from-literal=k=v)",
     "6b3873000a0c0a027631120653656372657412270a1b0a0b6b6974652d73656372657412001a0022002a0032"
     "003800420012060a016b1201761a001a002200",
     R"({"apiVersion":"v1","data":{"k":"dg=="},"kind":"Secret","metadata":{"name":"kite-secret"}})"},
    {"Deployment", R"(kubectl create deployment web --image=nginx --replicas=0 --port=80)",
     "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b8010a1f0a0377656212001a0022002a"
     "003200380042005a0a0a0361707012037765621286010800120c0a0a0a0361707012037765621a6c0a1c0a00"
     "12001a0022002a003200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e67696e78"
     "2a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800"
     "600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
     R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},"name":"web"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},"strategy":{},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx","name":"nginx","ports":[{"containerPort":80}],"resources":{}}]}}},"status":{}})"},
    {"Namespace", R"(kubectl create namespace kite-ns)",
     "6b3873000a0f0a02763112094e616d657370616365121f0a170a076b6974652d6e7312001a0022002a003200"
     "3800420012001a020a001a002200",
     R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kite-ns"},"spec":{},"status":{}})"},
    {"Service", R"(kubectl create service clusterip web --tcp=80:8080)",
     "6b3873000a0d0a02763112075365727669636512690a1f0a0377656212001a0022002a003200380042005a0a"
     "0a03617070120377656212420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a"
     "0361707012037765621a002209436c757374657249503a00420052005a00600068001a020a001a002200",
     R"({"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"web"},"name":"web"},"spec":{"ports":[{"name":"80-8080","port":80,"protocol":"TCP","targetPort":8080}],"selector":{"app":"web"},"type":"ClusterIP"},"status":{"loadBalancer":{}}})"},
    {"Job", R"(kubectl create job j1 --image=busybox -- echo hi)",
     "6b3873000a0f0a0862617463682f763112034a6f621284010a120a026a3112001a0022002a00320038004200"
     "126432620a100a0012001a0022002a00320038004200124e122b0a026a31120762757379626f781a04656368"
     "6f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a00520058006000"
     "68008201008a01009a0100c201001a082000280030003a001a002200",
     R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"command":["echo","hi"],"image":"busybox","name":"j1","resources":{}}],"restartPolicy":"Never"}}},"status":{}})"},
    {"CronJob", R"(kubectl create cronjob cj --image=busybox --schedule="*/1 * * * *")",
     "6b3873000a130a0862617463682f7631120743726f6e4a6f62129e010a120a02636a12001a0022002a003200"
     "380042001285010a0b2a2f31202a202a202a202a1a002a740a120a02636a12001a0022002a00320038004200"
     "125e325c0a100a0012001a0022002a00320038004200124812210a02636a120762757379626f782a0042006a"
     "007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a"
     "01009a0100c201001a001a002200",
     R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"cj"},"spec":{"jobTemplate":{"metadata":{"name":"cj"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"image":"busybox","name":"cj","resources":{}}],"restartPolicy":"OnFailure"}}}},"schedule":"*/1 * * * *"},"status":{}})"},
    {"PodDisruptionBudget", R"(kubectl create poddisruptionbudget pdb --selector=app=web --min-available=1)",
     "6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412390a130a03"
     "70646212001a0022002a0032003800420012160a06080010011a00120c0a0a0a0361707012037765621a0a08"
     "0018002000280030001a002200",
     R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"pdb"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"}}},"status":{"currentHealthy":0,"desiredHealthy":0,"disruptionsAllowed":0,"expectedPods":0}})"},
};

}  // namespace kite::api::testing
