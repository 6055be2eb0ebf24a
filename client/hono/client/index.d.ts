import { ApplyGlobalResponse, ClientRequest, ClientRequestOptions, ClientResponse, Fetch, InferRequestType, InferResponseType, PickResponseByStatusCode } from "./types.js";
import { hc } from "./client.js";
import { DetailedError } from "./fetch-result-please.js";
import { parseResponse } from "./utils.js";
export { type ApplyGlobalResponse, type ClientRequest, type ClientRequestOptions, type ClientResponse, DetailedError, type Fetch, type InferRequestType, type InferResponseType, type PickResponseByStatusCode, hc, parseResponse };