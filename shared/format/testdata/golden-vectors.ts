/**
 * Frozen golden vectors (see golden.ts). Generated once by this implementation, with every file body checked
 * against the independent http_ece package before freezing; never regenerate to make a failing check pass.
 * The private key below is a TEST key that protects only the synthetic sample manifest.
 */
import type { JWK } from 'jose';

export interface GoldenVectors {
  readonly secretHex: string;
  readonly shipmentId: string;
  readonly fileId: string;
  readonly keySchedule: { readonly ikmHex: string; readonly saltHex: string };
  readonly rfc8188: readonly {
    readonly name: string;
    readonly ikm: string;
    readonly body: string;
    readonly plaintext: string;
    readonly rs: number;
    readonly keyId: string;
    readonly records: readonly { readonly data: number; readonly padding: number }[];
  }[];
  readonly files: readonly { readonly recordSize: number; readonly plainSize: number; readonly sha256: string; readonly hex?: string }[];
  readonly envelope: {
    readonly publicJwk: JWK;
    readonly privateJwk: JWK;
    readonly fingerprint: string;
    readonly jwe: string;
    readonly manifestJson: string;
  };
}

export const GOLDEN: GoldenVectors = {
  "secretHex": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
  "shipmentId": "golden-shipment",
  "fileId": "file-0001",
  "keySchedule": {
    "ikmHex": "3468b6319ceaeb6e012ff9c3da33d62e",
    "saltHex": "3ee9150c39a7115eb17e0c502924bd48"
  },
  "rfc8188": [
    {
      "name": "RFC 8188 §3.1",
      "ikm": "yqdlZ-tYemfogSmv7Ws5PQ",
      "body": "I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg",
      "plaintext": "I am the walrus",
      "rs": 4096,
      "keyId": "",
      "records": [
        {
          "data": 15,
          "padding": 0
        }
      ]
    },
    {
      "name": "RFC 8188 §3.2",
      "ikm": "BO3ZVPxUlnLORbVGMpbT1Q",
      "body": "uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA",
      "plaintext": "I am the walrus",
      "rs": 25,
      "keyId": "a1",
      "records": [
        {
          "data": 7,
          "padding": 1
        },
        {
          "data": 8,
          "padding": 0
        }
      ]
    }
  ],
  "files": [
    {
      "recordSize": 64,
      "plainSize": 0,
      "sha256": "c96f87f4c12283d10630a2e3f0a52858d9812d81fc5f70d6d57d10e9c48b1399",
      "hex": "3ee9150c39a7115eb17e0c502924bd480000004000081129e25ba87c643d1157b2c474e03810"
    },
    {
      "recordSize": 64,
      "plainSize": 1,
      "sha256": "e47b3f8a125d31ea34cfa76e447a0f7b592315e3973dddd908e28bc1bed4eb57",
      "hex": "3ee9150c39a7115eb17e0c502924bd4800000040000d6ce4536d96d31487050fcbafbc6620e562"
    },
    {
      "recordSize": 64,
      "plainSize": 150,
      "sha256": "32dcef5ff0d820cebb415e9c3baa8e08f3b8c3e4d5d293b69d48049fd4dc1c70",
      "hex": "3ee9150c39a7115eb17e0c502924bd4800000040000d486728adfaa3c489abdfe54215fa93e229e4a7ad87aec96234ba244ea69365b2ff8dc9cb9637f54fb6075d7b7eb72cb2fe55ca27320ad53c826b374e2490d56080649479c7b0d8af1666cc40a47e557b820d057ea107795b405f0033ba9287f1de9188efd9883098412fe6e64321734991daecdea0be2792466740e58e8c321f8b2106dac82e15591cdc8b807dff9cecf6a0d827a6c7c0c9a5e21ca62386d6f46c70d77e8d5f0aae6741b7beab094b8b10b5061efdb46190c5900246e73ff61f5054d946a5e34e17ab71bab75e2c365845d1c0777789c54fba"
    },
    {
      "recordSize": 262161,
      "plainSize": 0,
      "sha256": "b790b7be907b4857a9aaa853a109e015d38ef3891d50ed53f58ba7dd97fac4e7"
    },
    {
      "recordSize": 262161,
      "plainSize": 1,
      "sha256": "75d2e9951721e0341c6c1d171e472b49a0f943e28652c2fff8d46c42e926f1d7"
    },
    {
      "recordSize": 262161,
      "plainSize": 1000,
      "sha256": "2cff20d72abc7ed68c0992a4936e2becea23dd50bef000adeedf26ef35b3d168"
    },
    {
      "recordSize": 262161,
      "plainSize": 262143,
      "sha256": "e1fc3699adfcda3e7832cecb17854f16e090e6530b5d81859a389f7b1eadae60"
    },
    {
      "recordSize": 262161,
      "plainSize": 262144,
      "sha256": "9f8fcbcbe88cf9305355bfef0cde92cf082aa95fdea8996f89037d05a7c49584"
    },
    {
      "recordSize": 262161,
      "plainSize": 262145,
      "sha256": "1d58aad348df87e293e7da9f40f60db553067de55b3c5017ee189165d86d9426"
    },
    {
      "recordSize": 262161,
      "plainSize": 786437,
      "sha256": "5f44a31859e7f267fd980892a7d3a7890c7828e5e2808893853abee374416892"
    }
  ],
  "envelope": {
    "publicJwk": {
      "crv": "X25519",
      "x": "Wl5OqQr_WOrGysgzKZtlrSOHfV8tV38eI0ugutf6Q1o",
      "kty": "OKP",
      "kid": "N1sqYUT4pNQt-VM3GXuXCe-ZaQjXm2veSM6DTfeDmB8",
      "alg": "ECDH-ES+A256KW",
      "use": "enc"
    },
    "privateJwk": {
      "crv": "X25519",
      "d": "gCbPOYe_GIfKUL5M6eejLrVMfrDPkPeOiv2jzTfT604",
      "x": "Wl5OqQr_WOrGysgzKZtlrSOHfV8tV38eI0ugutf6Q1o",
      "kty": "OKP",
      "kid": "N1sqYUT4pNQt-VM3GXuXCe-ZaQjXm2veSM6DTfeDmB8",
      "alg": "ECDH-ES+A256KW",
      "use": "enc"
    },
    "fingerprint": "375B 2A61 44F8 A4D4 2DF9 5337 197B 9709 EF99 6908 D79B 6BDE 48CE 834D F783 981F",
    "jwe": "{\"ciphertext\":\"8qaHq5kcz49jW9dByU2ua5AZLyQqarYjfQAjVstz67GiPdm9GHAt7u50TfWNmgl4_8t7UnXzi6NmtZSUTndEfik8UPOTdtwVKk9MNI2JcuSWe8ZA7YNXxwc44-f7Yl_x6614rT449Y80WdzVU-iqfnCg100bLBIvo-zORWkTi8v0TpObPzFr-jsjJb4wDZaX6SxMFT_BkaYXFClr8fj-aS20XMyYbu0IUXgy07c5Kt_hxaPViIa7AxRld10Cup_X9xXu-YtbREO2E1e4S56fhnY_7TT7x2rVWc3w4Pt1x2Kdg7ZtXnLi1tqgvcwYyDRh8RVAXAt7od480Q_8b4mONYCeTIe0biggbkZ55Mduu9MClUgC8NV1v2HETWUYoBIgPq4DYOfHmwP3xrgLLf-NsLw-aEzWFTG43LGyD7W5Z81wj_y7wRsS-FXbr4qpDoVJsv2AgAxeZu8ImDjyGph5hff3J6I-Kh6aLxXWsSPEaiHpo0McW-xpxk4tQ4przKhf_UnIK5fmaXq6iwOivpn2E3JIBk3uW54p01lfnvGCSRXPFNcq54elRLmuwHBkGBO4y6NpiU24VSk5hh1C0CyO29x436UeJ76Z85uS2r8GoemXPmn9d7nxXTxDbKHv4xFkxTgf7YPbOxZXxp05sLjykqK3JovMoWsOQ4nSMpJDQ9lSFJehU_vkwf8sYSccv65fcNDfdfBivaiPfiJyoZp5_FJUPn9kqzgjQ-UUAYyPFHPDLEf9mIYPnjDrfdrmIfkq2w6Cg7SVAJjZLLOyp5HrMH1ZWy-APjlW0w-9cHx3u7nY-IoUXh5nClmdYUltv29VtkZRIUcZqm8hVj6kmkCgH5WX67ZdEIJDtpjAH0QMxjDL5nApubzKPTMoyij6HXIwfUd0AofNnd78kOZAgaNbOnHXlB_mL8Jev1eXTaBA0nAHfb8gfZBuBeW6Xl9GoP9P_QnNk-iBAAz5CMRI1_2KYoBxcXWq0GeKKbZP4gRcMT3vdNhV4OPQMIBtmlTY5hh73yAyTbwFTZZRJNa8m6Gx82srQFFfBflyr_29pVzjp9n8kw3Wvr1l1EZLDaddyD8In5n7wfXwOCnBSIjBukDk2qXi4Hr8KKfYN9mHTkKfoX8Lz6EoOSR-kdtL70GjZYIyChW6IgkFdwa7fyZpRVTyFNK8UNgSt5MfJUaQK12I9ngCA5RxKFBlwr8QLVS8qc6xf7t2UgA8FZKWmOjZx2btKR4LsuvyOHu1LYj0NPcZqsyRRZRihgUSuNVfhdK-rssh8S9iF6wpY97teAsDKDKoTkaT8xcSjx8l3e4SfqUSlpL56O7z4pGt-YzXZpvDuTPt--myUBi3sJTYWJ5-_yPg6g-2ptFqvVZ9lPyAe2Vn7Bu2ryoNsfCllcq4KidQF8NwaJr8-wsJdfHbrcdp3tv5STdXDhWTG3s4B8Vq9AYaNCnRkTxMEC_lP1lJdJOI4xaqxIIQGklV8pyhAlYdrhlhJ-ksEn3ghZZ69LOAqOJRg0vgtU7QOAJGPyM-1SyIajmiYyULPBzZ75qOOk0dnqcawhG5kG-0__BvhwfxxgG2dreyTWqv5cOaHdve54To_9_HMLUehxsN6cjuGoywMfXgQo5V6YzErU1g6WPjqBiAnooWfdDBkCU4wdWn4fCTNCH7ocvPFxsxuz5VHO9PKHv7zMeXFnRrTV70PfLmTkUacjr4VVvpSpEXewNKMNXzLm1YGaheDzcdM1anm-4bV8timYQVFqegWUSkh-Eytl5IhWp9-HIise9ICB_gKX1RqnLV6upv0JV44Cw1lu2bBLXZVaixazbY54kL3jsvM5GgjXCktgz9HMYfK-Fv06703N2V04fn8OVmoKeQlYP3z4XQR0RogrsLsedUnldB_AHzv4-TmG7mWfAJcfa18Zw66Q4xRS7XJBTnmezczwp3xGnzgpx974ycM6mw4WLR4YUZ0YB9WA2hOEcdiYDNHU193nYcTMpcoO0zopPdtN4n3btuOhL2OLJLRO5IG260sZjW4JaCr0rJ1Z4jGdNKDnSN9jZtANuj\",\"iv\":\"Lf64Kky_HjEgT24-\",\"tag\":\"gmDGhUiMRX7x2SXi5Lcwqw\",\"protected\":\"eyJlbmMiOiJBMjU2R0NNIiwidHlwIjoiYmVlbGRwb29ydC1lbnZlbG9wZStqd2UiLCJlcGsiOnsieCI6ImxNTjNyTU55c0wzT3dlMjBVUE1QY04zdGxRZWhiYWJWWldDUEFlWWsyVTgiLCJjcnYiOiJYMjU1MTkiLCJrdHkiOiJPS1AifX0\",\"recipients\":[{\"encrypted_key\":\"0SnCqafD8spL-k4TNvEf9YxGzJrdAM5pq9KBlzLEjEsa7SoT0vszXQ\",\"header\":{\"alg\":\"ECDH-ES+A256KW\",\"kid\":\"N1sqYUT4pNQt-VM3GXuXCe-ZaQjXm2veSM6DTfeDmB8\"}}]}",
    "manifestJson": "{\"version\":1,\"shipmentId\":\"golden-shipment\",\"linkId\":\"link-0001\",\"purpose\":\"consult\",\"createdAt\":\"2026-11-29T20:15:00.000Z\",\"statements\":{\"consent\":{\"recordedBy\":\"A. de Vries, physician assistant\",\"date\":\"2026-11-28\",\"reference\":\"EPD note 4711\"},\"comment\":\"Second opinion requested.\\nPlease call back.\"},\"files\":[{\"fileId\":\"file-0001\",\"path\":\"DICOM/S0001/I0001\",\"size\":1000,\"sha256\":\"abababababababababababababababababababababababababababababababab\",\"dicom\":{\"sopClassUid\":\"1.2.840.10008.5.1.4.1.1.2\",\"sopInstanceUid\":\"1.2.826.0.1.3680043.8.498.1.1.1\",\"studyInstanceUid\":\"1.2.826.0.1.3680043.8.498.1\",\"seriesInstanceUid\":\"1.2.826.0.1.3680043.8.498.1.1\",\"transferSyntaxUid\":\"1.2.840.10008.1.2.1\"}},{\"fileId\":\"file-0002\",\"path\":\"DICOM/S0001/I0002\",\"size\":1001,\"sha256\":\"abababababababababababababababababababababababababababababababab\",\"dicom\":{\"sopClassUid\":\"1.2.840.10008.5.1.4.1.1.2\",\"sopInstanceUid\":\"1.2.826.0.1.3680043.8.498.1.1.2\",\"studyInstanceUid\":\"1.2.826.0.1.3680043.8.498.1\",\"seriesInstanceUid\":\"1.2.826.0.1.3680043.8.498.1.1\",\"transferSyntaxUid\":\"1.2.840.10008.1.2.1\"}}],\"summary\":{\"patients\":[{\"name\":\"Jansen^Pieter\",\"id\":\"P-0001\",\"birthDate\":\"19600101\",\"issuer\":\"HOSPITAL-A\"}],\"studies\":[{\"studyInstanceUid\":\"1.2.826.0.1.3680043.8.498.1\",\"date\":\"20261127\",\"description\":\"CT thorax\",\"modalities\":[\"CT\"],\"accession\":\"ACC-1\",\"patientId\":\"P-0001\",\"series\":1,\"instances\":2}],\"series\":1,\"instances\":2,\"skipped\":[{\"path\":\"AUTORUN.INF\",\"reason\":\"not DICOM\"}]}}"
  }
};
