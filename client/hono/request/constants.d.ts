//#region src/request/constants.d.ts
export declare const GET_MATCH_RESULT: unique symbol;
//#endregion