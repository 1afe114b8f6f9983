/** The JSON bodies our two error families answer with, for reading responses in tests. */
export type ResponseJson = {
  code?: string;
  message?: string;
  data?: { issues?: Array<{ path: string; message: string }>; requestId?: string; [key: string]: unknown };
  error?: string;
  error_description?: string;
  [key: string]: unknown;
};

export const readJson = async (response: Response): Promise<ResponseJson> =>
  (await response.json()) as ResponseJson;
